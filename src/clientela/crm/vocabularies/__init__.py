"""The company's own word lists: acquisition channels, sales channels, tags, case categories."""

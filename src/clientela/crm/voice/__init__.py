"""Voice of the customer: the themes of survey comments, kept so that a person can name,
merge and pin them, and each answer's themes (``insight.themes`` finds them)."""

"""GDPR: export everything held about a person, and erase (anonymise) it.

Apps that keep personal data about parties register a section with
``clientela.crm.privacy.registry.register`` so both reach their tables.
"""

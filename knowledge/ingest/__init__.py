"""Ingestion of the policy documents into the database (idempotent).

`catalogue` reads and validates knowledge/data/documents.yml, `parse` turns
a source file into sections, passages and indicator rows (pure, no DB), and
`store` writes them, re-ingesting only files whose content changed.
"""

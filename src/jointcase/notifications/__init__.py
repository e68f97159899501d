"""In-app notices: a generic sentence and a link, never content (docs/design.md "No leaks")."""

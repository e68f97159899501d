"""In-app notices: a generic sentence and a link, never content (DESIGN.md "No leaks")."""

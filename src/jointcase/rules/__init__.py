"""Policy data (YAML) that policy owners change: loaded and validated by the apps that use it."""

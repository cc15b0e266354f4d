"""certfolio's default site templates, shipped with the package (not Python code)."""

"""Assessment, quality assurance and the suggestion engine, each its own sub-package."""

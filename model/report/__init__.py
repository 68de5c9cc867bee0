"""Reports: terminal tables, files, HTML and plots, all read from result tables."""

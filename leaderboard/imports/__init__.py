"""Results in bulk: rows from CSV, XLSX or JSON files (``resources``), and results
files from EleutherAI's lm-evaluation-harness (``harness``), imported through the
same rules as the admin's forms (``run``)."""

"""Data-quality checks: declared as data (``checks``), evaluated with pandera (``engine``)."""

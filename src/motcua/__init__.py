"""motcua: the one-stop (một cửa) information system for administrative procedures."""

__version__ = "0.1.0"

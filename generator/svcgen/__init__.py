"""svcgen: service definitions in, values for one generic Helm chart out."""

__version__ = "0.1.0"

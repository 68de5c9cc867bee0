"""insats: does this labour-market intervention pay for itself, for whom, and how sure are we?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("insats")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

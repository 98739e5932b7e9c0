"""Developer machine and the embedded demo (`make run`): production-like by default.

DEBUG stays off unless asked for (`DEBUG=1 make run`), so a mistyped URL shows the shop's own 404
page, never Django's technical page with every URL pattern. Static files are served by whitenoise
straight from the source folders (no collectstatic needed).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

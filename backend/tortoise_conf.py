"""For Tortoise's own CLI: ``tortoise --config backend.tortoise_conf.TORTOISE_ORM makemigrations``
(``batt makemigrations`` does exactly that)."""

from backend.db import tortoise_config
from backend.settings import load_settings

TORTOISE_ORM = tortoise_config(load_settings())

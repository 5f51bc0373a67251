"""A manifest that takes a name already in use (refused)."""

from dataclasses import replace

from backend.accounts.domain import DOMAIN as ACCOUNTS

DOMAIN = replace(ACCOUNTS, apps=())

"""Print a fresh set of production keys: ``python -m bigcare.keys``."""

import secrets

from bigcare.env import new_key

if __name__ == "__main__":
    print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
    print(f"BIGCARE_FIELD_KEYS=k1:{new_key()}")
    print(f"BIGCARE_INDEX_KEY={new_key()}")

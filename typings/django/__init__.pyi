# Django ships no type information, so for mypy every name of it is Any — except the model
# choices below (typings/django/db/models/__init__.pyi). See typings/README.md.
from typing import Any

def __getattr__(name: str) -> Any: ...

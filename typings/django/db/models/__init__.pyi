# Django's model choices as mypy should read them: a member of a TextChoices class is a str
# (an IntegerChoices member an int), not the (value, label) tuple written in the class body;
# the class has .choices, .values, .labels and .names. Every other name is Any, as without
# these stubs (Django ships no type information).
import enum
from typing import Any

class ChoicesType(enum.EnumMeta):
    @property
    def choices(cls) -> list[tuple[Any, str]]: ...
    @property
    def values(cls) -> list[Any]: ...
    @property
    def labels(cls) -> list[str]: ...
    @property
    def names(cls) -> list[str]: ...

class Choices(enum.Enum, metaclass=ChoicesType):  # type: ignore[misc]  # members are the subclasses'
    @property
    def label(self) -> str: ...

class TextChoices(str, Choices):  # type: ignore[misc]
    @property
    def value(self) -> str: ...

class IntegerChoices(int, Choices):  # type: ignore[misc]
    @property
    def value(self) -> int: ...

def __getattr__(name: str) -> Any: ...

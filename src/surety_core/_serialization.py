"""The stable, versioned JSON form of every model (private; see :mod:`surety_core`).

``to_json_data(x)`` gives ``{"type": "GuaranteeContract", "schema_version": 1, "data": {...}}``
made only of JSON types (dates as ISO strings, fractions as ``"n/d"``, enums by value);
``from_json_data(payload)`` rebuilds the object, re-running every validator. Bad input raises
:class:`~surety_core.InvalidInputError` naming every problem found.

Owns: the converter and the **one list** of JSON types (at the end of this module); the
refusal to serialise a secret. Must not know: storage, the services, signing or mail; the
domain never imports it (it imports the domain).
"""

from __future__ import annotations

import base64
import binascii
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum, IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Final, NoReturn, TypeVar

import attrs
import cattrs
import orjson
from cattrs.errors import BaseValidationError, IterableValidationError, IterableValidationNote

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.domain import _claims, _fees, _model, _payments, _rules
from surety_core.storage import _records

__all__ = [
    "SCHEMA_VERSION",
    "converter",
    "from_json",
    "from_json_data",
    "from_json_trusted",
    "register_json_type",
    "structure",
    "structure_trusted",
    "to_json",
    "to_json_data",
    "unstructure",
]

T = TypeVar("T")

SCHEMA_VERSION = 1
"""The version of the JSON form written by this release."""

converter = cattrs.Converter(forbid_extra_keys=True)
"""The library's cattrs converter; hosts may use it for their own records of our types."""


def _structure_date(value: Any, _: type) -> date:
    if not isinstance(value, str):
        raise InvalidInputError(None, f"a date must be an ISO string, not {type(value).__name__}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(None, f"not an ISO date: {value[:40]!r}") from None
    if len(value) != 10:
        raise InvalidInputError(None, f"not an ISO date (YYYY-MM-DD): {value[:40]!r}")
    return parsed


def _structure_datetime(value: Any, _: type) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInputError(None, "a time must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(None, f"not an ISO 8601 time: {value!r}") from None
    if not v.is_aware(parsed):
        raise InvalidInputError(None, f"a time must carry its UTC offset: {value!r}")
    return parsed


def _structure_bytes(value: Any, _: type) -> bytes:
    if not isinstance(value, str):
        raise InvalidInputError(None, "bytes must be a base64 string")
    try:
        # What b64decode(validate=True) accepts, twice as fast (strict mode on ASCII bytes).
        return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        raise InvalidInputError(None, "not valid base64") from None


def _structure_fraction(value: Any, _: type) -> Fraction:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInputError(None, "a share must be a string like '4/10'")
    num, sep, den = value.partition("/")
    if not sep or not num.isdigit() or not den.isdigit() or int(den) == 0:
        raise InvalidInputError(None, f"not a share like '4/10': {value!r}")
    return Fraction(int(num), int(den))


def _structure_int(value: Any, _: type) -> int:
    if type(value) is not int:
        raise InvalidInputError(None, f"must be an integer, not {type(value).__name__}")
    return value


def _structure_str(value: Any, _: type) -> str:
    if type(value) is not str:
        raise InvalidInputError(None, f"must be a string, not {type(value).__name__}")
    return value


def _structure_float(value: Any, _: type) -> float:
    if type(value) is not float and type(value) is not int:
        raise InvalidInputError(None, f"must be a number, not {type(value).__name__}")
    return float(value)


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(None, f"must be true or false, not {type(value).__name__}")
    return value


def _structure_enum(value: Any, cls: type[Enum]) -> Any:
    if isinstance(value, cls):
        return value
    if type(value) is not str and type(value) is not int:
        raise InvalidInputError(None, f"must be one of the codes, not {type(value).__name__}")
    try:
        return cls(value)
    except ValueError:
        raise InvalidInputError(None, f"unknown code {str(value)[:40]!r}") from None


def _is_sequence(t: Any) -> bool:
    return typing.get_origin(t) in (tuple, list, frozenset) or t in (tuple, list, frozenset)


def _sequence_hook(t: Any, conv: cattrs.Converter) -> Any:
    """A JSON array for a tuple, list or frozenset field: never a string or an object (which
    cattrs would otherwise iterate character by character, or key by key)."""
    origin = typing.get_origin(t) or t
    args = typing.get_args(t)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        kinds: Any = None
        element: Any = args[0]
    elif origin is tuple and args:
        kinds, element = args, None
    else:
        kinds, element = None, args[0] if args else Any

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list:
            raise InvalidInputError(None, f"must be a JSON array, not {type(value).__name__}")
        if kinds is not None and len(value) != len(kinds):
            raise InvalidInputError(None, f"must have exactly {len(kinds)} items")
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            kind = element if kinds is None else kinds[index]
            try:
                items.append(item if kind is Any else conv.structure(item, kind))
            except Exception as exc:  # every problem, each with its index
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring {t} @ index {index}", index, kind),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {t!r}", errors, t)
        return frozenset(items) if origin is frozenset else origin(items)

    return structure


converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(bytes, lambda b: base64.b64encode(b).decode("ascii"))
converter.register_structure_hook(bytes, _structure_bytes)
converter.register_unstructure_hook(Fraction, lambda f: f"{f.numerator}/{f.denominator}")
converter.register_structure_hook(Fraction, _structure_fraction)
# The plain types by class (cattrs looks these up before any predicate hook, so a predicate
# hook would never run and ``int("7")``, ``str(["X"])``, ``bool("false")`` would slip through).
# Enums get their own hook, so the ``str`` and ``int`` hooks never catch a StrEnum or IntEnum.
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(Enum, _structure_enum)
converter.register_structure_hook(StrEnum, _structure_enum)
converter.register_structure_hook(IntEnum, _structure_enum)
converter.register_structure_hook_factory(_is_sequence, _sequence_hook)


def _principal_hook(cls: type) -> Any:
    # A corporation's JSON keeps exactly the keys written before sole proprietors existed, so
    # certificates signed then still verify byte for byte and stored documents do not change.
    omit = cattrs.gen.override(omit_if_default=True)
    return cattrs.gen.make_dict_unstructure_fn(
        cls, converter, kind=omit, customer_number=omit, trade_name=omit
    )


converter.register_unstructure_hook(
    _model.JointVentureMember, _principal_hook(_model.JointVentureMember)
)
converter.register_unstructure_hook(_model.Principal, _principal_hook(_model.Principal))

_structure_arrangement_fields = cattrs.gen.make_dict_structure_fn(
    _payments.PaymentArrangement, converter, _cattrs_forbid_extra_keys=True
)


def _structure_arrangement(value: Any, cls: type) -> _payments.PaymentArrangement:
    # Arrangements written before sole proprietors named the contractor ``corporate_number``.
    if isinstance(value, dict) and "corporate_number" in value and "principal_id" not in value:
        value = {("principal_id" if k == "corporate_number" else k): x for k, x in value.items()}
    return _structure_arrangement_fields(value, cls)


converter.register_structure_hook(_payments.PaymentArrangement, _structure_arrangement)


def _is_frozenset(t: Any) -> bool:
    return t is frozenset or typing.get_origin(t) is frozenset


converter.register_unstructure_hook_func(_is_frozenset, lambda s: sorted(s))


def _is_secret(t: Any) -> bool:
    return isinstance(t, type) and getattr(t, "__surety_secret__", False) is True


def _refuse_secret(value: Any) -> NoReturn:
    raise InvalidInputError(
        None, f"a {type(value).__name__} cannot be serialized; store a KeyRecord instead"
    )


converter.register_unstructure_hook_func(_is_secret, _refuse_secret)

_TYPES: dict[str, type[Any]] = {}


def register_json_type(cls: type[T], name: str | None = None) -> type[T]:
    """Register an attrs class for the versioned envelope under ``name`` (default: its name)."""
    attrs.resolve_types(typing.cast(Any, cls))
    _TYPES[name or cls.__name__] = cls
    return cls


def _messages(exc: BaseException) -> list[str]:
    if isinstance(exc, BaseValidationError):
        return cattrs.transform_error(exc, format_exception=_format)
    return [_format(exc, None)]


def _format(exc: BaseException, _type: type | None) -> str:
    if isinstance(exc, InvalidInputError):
        return exc.reason if exc.field is None else f"{exc.field} {exc.reason}"
    if isinstance(exc, _rules.RuleViolationError):
        return f"breaks rule(s) {', '.join(exc.codes)}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s): {', '.join(sorted(map(str, exc.extra_fields)))[:200]}"
    return f"invalid value: {str(exc)[:120]}"


def unstructure(obj: Any) -> Any:
    """The JSON-ready form of a model object (no envelope)."""
    return converter.unstructure(obj)


# --- the direct decoder ---------------------------------------------------------------------
# Reading a stored record back is on the hot path of every view. For the library's own attrs
# classes, a decoder built once per class from its fields calls the same structure hooks as the
# converter above (dates, times, bytes, shares, enums, integers and text as strictly) and the
# class's own constructor, so every attrs validator still runs: only cattrs' dispatch is gone.
# On any problem it gives up and the converter decodes the data again, so errors read exactly as
# before; a test checks on generated and damaged data that both give equal results.

_Decoder = typing.Callable[[Any], Any]
_DECODERS: dict[type[Any], _Decoder | None] = {}
_NO_DEFAULT = attrs.NOTHING


class _UnsupportedError(Exception):
    """A field type the direct decoder leaves to the converter."""


def _strict_int(value: Any) -> Any:
    return value if type(value) is int else _structure_int(value, int)


def _strict_str(value: Any) -> Any:
    return value if type(value) is str else _structure_str(value, str)


def _leaf(hook: Any, kind: Any) -> _Decoder:
    return lambda value: hook(value, kind)


def _optional(inner: _Decoder) -> _Decoder:
    return lambda value: None if value is None else inner(value)


def _array(origin: Any, kinds: tuple[_Decoder, ...] | None, element: _Decoder | None) -> _Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list:
            raise InvalidInputError(None, "must be a JSON array")
        if kinds is not None:
            if len(value) != len(kinds):
                raise InvalidInputError(None, "wrong number of items")
            items = [kind(item) for kind, item in zip(kinds, value, strict=True)]
        elif element is None:
            items = list(value)
        else:
            items = [element(item) for item in value]
        return frozenset(items) if origin is frozenset else origin(items)

    return decode


def _field_decoder(kind: Any) -> _Decoder | None:
    """How a value of type ``kind`` is decoded (``None``: taken as it is)."""
    if kind is Any:
        return None
    if kind is int:
        return _strict_int
    if kind is str:
        return _strict_str
    if kind is bool:
        return _leaf(_structure_bool, bool)
    if kind is date:
        return _leaf(_structure_date, date)
    if kind is datetime:
        return _leaf(_structure_datetime, datetime)
    if kind is bytes:
        return _leaf(_structure_bytes, bytes)
    if kind is Fraction:
        return _leaf(_structure_fraction, Fraction)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _leaf(_structure_enum, kind)
    if isinstance(kind, type) and attrs.has(kind):
        nested = _decoder(kind)
        if nested is None:
            raise _UnsupportedError(kind)
        return nested
    found, decoder = _composite(kind, _field_decoder)
    if found:
        return decoder
    raise _UnsupportedError(kind)


def _composite(kind: Any, part: Callable[[Any], _Decoder | None]) -> tuple[bool, _Decoder | None]:
    """``(True, decoder)`` for an optional or a sequence type, each part decoded by ``part``;
    ``(False, None)`` for any other type."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        other = args[0] if args[1] is type(None) else args[1]
        inner = part(other)
        return True, (_optional(inner) if inner is not None else None)
    if _is_sequence(kind):
        container = origin or kind
        if container is tuple and len(args) == 2 and args[1] is Ellipsis:
            return True, _array(tuple, None, part(args[0]))
        if container is tuple and args:
            decoders = tuple(part(a) or (lambda value: value) for a in args)
            return True, _array(tuple, decoders, None)
        return True, _array(container, None, part(args[0]) if args else None)
    return False, None


def _build_decoder(cls: type[Any]) -> _Decoder:
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, str, _Decoder | None, bool]] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        has_default = field.default is not _NO_DEFAULT
        plan.append((field.name, field.alias, _field_decoder(hints[field.name]), has_default))
    names = frozenset(name for name, *_ in plan)

    def decode(data: Any) -> Any:
        if type(data) is not dict or not names.issuperset(data):
            raise InvalidInputError(None, "not this record's fields")
        arguments = {}
        for name, alias, field_decoder, has_default in plan:
            if name in data:
                value = data[name]
                arguments[alias] = value if field_decoder is None else field_decoder(value)
            elif not has_default:
                raise InvalidInputError(name, "required field missing")
        return cls(**arguments)

    return decode


# --- the trusted decoder ---------------------------------------------------------------------
# For a document the store has authenticated (a row whose keyed MAC verifies: written by the
# library from an object that passed every validator, and unchanged since), re-running the
# validators proves nothing new. The trusted decoder reads the same JSON types as strictly
# (dates, enums, integers and text are still type-checked) but builds each object as attrs'
# own ``__init__`` would after its validators, converters and ``__attrs_post_init__``: the
# instance is made with ``object.__new__`` and its fields set with ``object.__setattr__``.
# Any problem sends the document to the validating decoder (the same result, or its error).

_TRUSTED: dict[type[Any], _Decoder | None] = {}


def _trusted_field(kind: Any) -> _Decoder | None:
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _trusted_enum(kind)
    if isinstance(kind, type) and attrs.has(kind):
        nested = _trusted_decoder(kind)
        if nested is None:
            raise _UnsupportedError(kind)
        return nested
    found, decoder = _composite(kind, _trusted_field)
    return decoder if found else _field_decoder(kind)


def _build_trusted(cls: type[Any]) -> _Decoder:
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, Any, _Decoder | None, Any, Any]] = []
    factory_type: Any = attrs.Factory
    for field in attrs.fields(cls):
        if not field.init or field.alias != field.name:
            raise _UnsupportedError(cls)
        default: Any = field.default
        make = None
        if isinstance(default, factory_type):
            if default.takes_self:
                raise _UnsupportedError(cls)
            make = default.factory
        kind = hints[field.name]
        plan.append((field.name, kind, _trusted_field(kind), default, make))
    names = frozenset(name for name, *_ in plan)
    # Straight-line code, one block per field (measured: a contract in about 18 µs against 26
    # for a loop over the plan): each value read once, type-checked or decoded, and set on the
    # new instance through its slot. A document with every field (as the library writes them)
    # reads each value by subscript; one without some (a default left out) takes the second
    # half, which fills the defaults in.
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "names": names,
        "count": len(plan),
        "Invalid": InvalidInputError,
        "MISSING": _MISSING,
        "strict_int": _strict_int,
        "strict_str": _strict_str,
        "date_from": date.fromisoformat,
        "datetime_from": datetime.fromisoformat,
        "base64_from": binascii.a2b_base64,
    }
    lines = [
        "def decode(data):",
        "    if type(data) is not dict or not names.issuperset(data):",
        '        raise Invalid(None, "not this record\'s fields")',
        "    obj = new(cls)",
        "    if len(data) == count:",
    ]
    for index, (name, kind, field_decoder, _default, _make) in enumerate(plan):
        namespace[f"set_{index}"] = _slot_setter(cls, name)
        lines.append(f"        value = data[{name!r}]")
        lines.extend(_value_lines(kind, field_decoder, f"{index}", namespace, "        "))
        lines.append(f"        set_{index}(obj, value)")
    lines.append("        return obj")
    for index, (name, kind, field_decoder, default, make) in enumerate(plan):
        namespace[f"default_{index}"] = default
        namespace[f"make_{index}"] = make
        lines.append(f"    value = data.get({name!r}, MISSING)")
        lines.append("    if value is MISSING:")
        if default is _NO_DEFAULT:
            lines.append(f"        raise Invalid({name!r}, 'required field missing')")
        elif make is not None:
            lines.append(f"        value = make_{index}()")
        else:
            lines.append(f"        value = default_{index}")
        lines.append("    else:")
        lines.extend(_value_lines(kind, field_decoder, f"{index}", namespace, "        "))
        lines.append(f"    set_{index}(obj, value)")
    lines.append("    return obj")
    exec(compile("\n".join(lines), f"<trusted decoder of {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    decode: _Decoder = namespace["decode"]
    return decode


def _slot_setter(cls: type[Any], name: str) -> Callable[[Any, Any], None]:
    """What sets the field ``name`` on a new ``cls``: its slot's own setter (one call, no
    look-up by name), or ``object.__setattr__`` for a class without that slot."""
    for klass in cls.__mro__:
        slot = vars(klass).get(name)
        if type(slot) is types.MemberDescriptorType:
            setter: Callable[[Any, Any], None] = slot.__set__
            return setter
    return lambda obj, value: object.__setattr__(obj, name, value)


def _value_lines(
    kind: Any, decoder: _Decoder | None, tag: str, namespace: dict[str, Any], indent: str
) -> list[str]:
    """Lines that turn the JSON ``value`` of a field of type ``kind`` into the field's value,
    in place: the checks of the field's decoder (``decoder``, named ``decode_<tag>`` in the
    generated code) inline where they are short, else the decoder called."""
    namespace[f"decode_{tag}"] = decoder
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        # ``X | None``: the checks of X, unless the value is null
        other = args[0] if args[1] is type(None) else args[1]
        inner = _value_lines(other, _trusted_field(other), f"{tag}_", namespace, indent + "    ")
        return [f"{indent}if value is not None:", *inner] if inner else []
    if (
        origin is tuple
        and len(args) == 2
        and args[1] is Ellipsis
        and isinstance(args[0], type)
        and attrs.has(args[0])
    ):
        # ``tuple[X, ...]`` of records: each item by X's decoder
        namespace[f"item_{tag}"] = _trusted_field(args[0])
        return [
            f"{indent}if type(value) is list:",
            f"{indent}    value = tuple([item_{tag}(item) for item in value])",
            f"{indent}else:",
            f"{indent}    value = decode_{tag}(value)",
        ]
    if decoder is _strict_str:
        return [f"{indent}if type(value) is not str:", f"{indent}    value = strict_str(value)"]
    if decoder is _strict_int:
        return [f"{indent}if type(value) is not int:", f"{indent}    value = strict_int(value)"]
    if kind is date:  # the hook's checks, inline (the hook for anything else)
        return [
            f"{indent}if type(value) is str and len(value) == 10:",
            f"{indent}    value = date_from(value)",
            f"{indent}else:",
            f"{indent}    value = decode_{tag}(value)",
        ]
    if kind is datetime:  # the hook's checks, inline
        return [
            f"{indent}if type(value) is str and len(value) <= 40:",
            f"{indent}    moment = datetime_from(value)",
            f"{indent}    aware = moment.utcoffset() is not None",
            f"{indent}    value = moment if aware else decode_{tag}(value)",
            f"{indent}else:",
            f"{indent}    value = decode_{tag}(value)",
        ]
    if kind is bytes:
        return [
            f"{indent}if type(value) is str:",
            f"{indent}    value = base64_from(value.encode('ascii'), strict_mode=True)",
            f"{indent}else:",
            f"{indent}    value = decode_{tag}(value)",
        ]
    if isinstance(kind, type) and issubclass(kind, Enum):
        namespace[f"members_{tag}"] = dict(kind._value2member_map_)
        return [
            f"{indent}found = members_{tag}.get(value)"
            " if type(value) is str or type(value) is int else None",
            f"{indent}value = decode_{tag}(value) if found is None else found",
        ]
    if decoder is not None:
        return [f"{indent}value = decode_{tag}(value)"]
    return []


_MISSING: Final = object()


def _trusted_enum(cls: type[Enum]) -> _Decoder:
    """An enum by a dictionary look-up of its value (text or integer, as the hook takes)."""
    members = dict(cls._value2member_map_)

    def decode(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is int:
            found = members.get(value)
            if found is not None:
                return found
        return _structure_enum(value, cls)

    return decode


def _trusted_decoder(cls: type[Any]) -> _Decoder | None:
    """The trusted decoder of one of the library's attrs classes (``None``: decode validated)."""
    try:
        return _TRUSTED[cls]
    except KeyError:
        pass
    found: _Decoder | None = None
    _TRUSTED[cls] = None
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__.startswith("surety_core."):
        try:
            found = _build_trusted(cls)
        except (_UnsupportedError, NameError, TypeError):
            found = None
    _TRUSTED[cls] = found
    return found


def structure_trusted(data: Any, cls: type[T]) -> T:
    """:func:`structure` for data the caller has authenticated as written by this library
    from a validated object: the attrs validators are not run again (see above). Data the
    trusted decoder cannot read is decoded, and validated, by :func:`structure`."""
    decode = _TRUSTED[cls] if cls in _TRUSTED else _trusted_decoder(cls)
    if decode is not None:
        try:
            result: T = decode(data)
            return result
        except Exception:  # noqa: S110 - decoded again below, validated, for the exact error
            pass
    return structure(data, cls)


def _decoder(cls: type[Any]) -> _Decoder | None:
    """The direct decoder of one of the library's attrs classes, built once (``None`` for
    another class, or one with a field type it leaves to the converter)."""
    try:
        return _DECODERS[cls]
    except KeyError:
        pass
    found: _Decoder | None = None
    _DECODERS[cls] = None  # a class that holds itself decodes through the converter
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__.startswith("surety_core."):
        try:
            found = _build_decoder(cls)
        except (_UnsupportedError, NameError, TypeError):
            found = None
    _DECODERS[cls] = found
    return found


def structure(data: Any, cls: type[T]) -> T:
    """Rebuild a ``cls`` from its :func:`unstructure` form, validating everything.

    Raises :class:`InvalidInputError` listing every problem (one per line).
    """
    decode = _DECODERS[cls] if cls in _DECODERS else _decoder(cls)
    if decode is not None:
        try:
            result: T = decode(data)
            return result
        except Exception:  # noqa: S110 - decoded again below, for the exact error
            pass
    try:
        return converter.structure(data, cls)
    except InvalidInputError:
        raise
    except (BaseValidationError, TypeError, ValueError, KeyError, AttributeError) as exc:
        problems = _messages(exc)
        raise InvalidInputError(cls.__name__, "; ".join(problems)) from None


def to_json_data(obj: Any) -> dict[str, Any]:
    """The versioned envelope ``{"type", "schema_version", "data"}`` of a registered model."""
    name = type(obj).__name__
    if _TYPES.get(name) is not type(obj):
        raise InvalidInputError(None, f"{name} is not a registered JSON type")
    return {"type": name, "schema_version": SCHEMA_VERSION, "data": unstructure(obj)}


@typing.overload
def from_json_data(payload: Any, cls: None = None) -> Any: ...
@typing.overload
def from_json_data(payload: Any, cls: type[T]) -> T: ...
def from_json_data(payload: Any, cls: type[T] | None = None) -> Any:
    """Rebuild an object from :func:`to_json_data`; ``cls`` (if given) must match its type."""
    return _from_envelope(payload, cls, structure)


def _from_envelope(payload: Any, cls: type[T] | None, build: Callable[[Any, Any], Any]) -> Any:
    if not isinstance(payload, dict):
        raise InvalidInputError(None, "a JSON envelope must be an object")
    name = payload.get("type")
    version = payload.get("schema_version")
    if (
        len(payload) != 3
        or "data" not in payload
        or "type" not in payload
        or "schema_version" not in payload
    ):
        raise InvalidInputError(None, "a JSON envelope has exactly: type, schema_version, data")
    if not isinstance(name, str) or name not in _TYPES:
        raise InvalidInputError("type", f"unknown type {str(name)[:40]!r}")
    if cls is not None and _TYPES[name] is not cls:
        raise InvalidInputError("type", f"expected {cls.__name__}, found {name}")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise InvalidInputError(
            "schema_version", f"unsupported schema version {str(version)[:20]!r}"
        )
    return build(payload["data"], _TYPES[name])


def to_json(obj: Any) -> str:
    """:func:`to_json_data` as compact JSON text with sorted keys (UTF-8 safe)."""
    if type(obj) is _records.AuditEvent:
        return dumps_compact(_audit_event_envelope(obj))
    return dumps_compact(to_json_data(obj))


def _audit_event_envelope(event: _records.AuditEvent) -> dict[str, Any]:
    """``to_json_data(event)`` written out (one is appended by every audited operation); a
    test checks on generated events that the text is the converter's, byte for byte."""
    return {
        "type": "AuditEvent",
        "schema_version": SCHEMA_VERSION,
        "data": {
            "sequence": event.sequence,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "details": [[name, text] for name, text in event.details],
            "previous_hash": binascii.b2a_base64(event.previous_hash, newline=False).decode(),
            "hash": binascii.b2a_base64(event.hash, newline=False).decode(),
            "key_id": event.key_id,
        },
    }


_ORJSON_OPTIONS: Final = orjson.OPT_SORT_KEYS


def dumps_compact(data: Any) -> str:
    """``data`` as the text ``json.dumps(data, ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))`` writes, byte for byte, 2-3 times faster: written by orjson, and
    by the standard library for what orjson does not take (a lone surrogate, an integer
    beyond 64 bits, a key that is not text). Tested to be identical on generated records."""
    try:
        return orjson.dumps(data, option=_ORJSON_OPTIONS).decode("utf-8")
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return _dumps_standard(data)


def dumps_compact_bytes(data: Any) -> bytes:
    """:func:`dumps_compact` as UTF-8 bytes (what is signed and hashed), written by orjson
    straight to bytes; the standard library's bytes for what orjson does not take (and its
    ``UnicodeEncodeError`` for a lone surrogate, which has no UTF-8 form)."""
    try:
        return orjson.dumps(data, option=_ORJSON_OPTIONS)
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return _dumps_standard(data).encode()


def _dumps_standard(data: Any) -> str:
    """The standard library's compact text, for what orjson does not take."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, parsed by orjson (the same values for every text :func:`to_json`
    writes); the standard library for what orjson refuses, so that any JSON the library once
    read is read the same way (``ValueError``/``RecursionError`` for text that is not JSON)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@typing.overload
def from_json(text: str | bytes, cls: None = None) -> Any: ...
@typing.overload
def from_json(text: str | bytes, cls: type[T]) -> T: ...
def from_json(text: str | bytes, cls: type[T] | None = None) -> Any:
    """Parse :func:`to_json` output back into an object."""
    return _from_envelope(_parse(text), cls, structure)


def from_json_trusted(text: str | bytes, cls: type[T]) -> T:
    """:func:`from_json` for text the caller has authenticated as written by this library from
    a validated object (a stored row whose keyed MAC verifies): the validators are not run
    again (see :func:`structure_trusted`). Private to the library's stores."""
    result: T = _from_envelope(_parse(text), cls, structure_trusted)
    return result


def _parse(text: str | bytes) -> Any:
    try:
        return loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError(None, f"not valid JSON ({type(exc).__name__})") from None


# --- the one list of JSON types ----------------------------------------------------------------
# Every type with a versioned JSON form is named here, so that ``from_json`` works after importing
# this module alone. The domain never imports this module; this module imports the domain.


def _register_library_types() -> None:
    for cls in (
        _model.Period,
        _model.JointVentureMember,
        _model.Principal,
        _model.Obligee,
        _model.Surety,
        _model.Works,
        _model.Progress,
        _model.ProductRequest,
        _model.Application,
        _model.GuaranteeVersion,
        _model.Amendment,
        _model.GuaranteeContract,
        _model.ElectronicAcceptance,
        _model.KindShare,
        _model.ObligeePolicy,
        _rules.Rule,
        _rules.Violation,
        _fees.RateBand,
        _fees.ProductRate,
        _fees.RateTable,
        _fees.FeeLine,
        _fees.FeeStatement,
        _fees.RefundStatement,
        _fees.FeeAdjustment,
        _claims.ClaimSettlement,
        _claims.ClaimCase,
        _payments.Payment,
        _payments.PaymentArrangement,
        _payments.PayeeAccount,
        _records.KeyRecord,
        _records.CertificateRecord,
        _records.AuditEvent,
        _records.OutboxMessage,
        _records.AttemptState,
        _records.StatementRecord,
    ):
        register_json_type(cls)


_register_library_types()

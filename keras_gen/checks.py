"""Validation of user-given values, shared by the models and the zoo, with messages that name the
value, what it was and what would be right."""

import numbers


def integer(name, value, minimum=None):
    """`value` as an int (bools and non-integral numbers refused), at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if not (isinstance(value, numbers.Real) and float(value).is_integer()):
            raise TypeError(f"{name} must be an integer; got {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")
    return value


def number(name, value, minimum=None, exclusive_minimum=None, exclusive_maximum=None):
    """`value` as a float, at least `minimum` (or above `exclusive_minimum`), below `exclusive_maximum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {value!r}.")
    value = float(value)
    if value != value:
        raise ValueError(f"{name} must be a number; got NaN.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")
    if exclusive_minimum is not None and value <= exclusive_minimum:
        raise ValueError(f"{name} must be greater than {exclusive_minimum}; got {value}.")
    if exclusive_maximum is not None and value >= exclusive_maximum:
        raise ValueError(f"{name} must be below {exclusive_maximum}; got {value}.")
    return value


def boolean(name, value):
    """`value` if it is True or False; 1, "yes" and other truthy stand-ins are refused."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return value


def choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}.")
    return value


def integers(name, values, minimum=1):
    """A tuple of ints (e.g. hidden layer widths); one int is refused with the tuple spelled out."""
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        raise TypeError(f"{name} must be a tuple of integers, e.g. {name}=({values},); got {values!r}.")
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a tuple of integers, e.g. (256, 256); got {values!r}.")
    return tuple(integer(f"each of {name}", v, minimum) for v in values)


def odd_kernel_size(name, value):
    value = integer(name, value, minimum=1)
    if value % 2 != 1:
        raise ValueError(f"{name} must be an odd kernel size (e.g. 3 or 7), so that a pixel has a centre; got {value}.")
    return value

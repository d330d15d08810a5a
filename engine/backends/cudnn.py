"""``torch.backends.cudnn``: not available; ``deterministic`` and ``benchmark`` may be set and are ignored."""

enabled = True
deterministic = False
benchmark = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None

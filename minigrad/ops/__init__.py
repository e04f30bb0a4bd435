"""The differentiable ops, one file per family; each forward sits beside its gradient rule."""

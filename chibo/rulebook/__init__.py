"""The Party's rules as data: every number a feature checks, with its source, configurable for
a unit subtree (the nearest setting above a unit wins, dated).

Each app declares its rules in its own `rules.py` with `register(Rule(...))`; every reading goes
through `rule(key, unit, on)`.
"""

from chibo.rulebook.registry import Rule, register, registered, rule, source

__all__ = ["Rule", "register", "registered", "rule", "source"]

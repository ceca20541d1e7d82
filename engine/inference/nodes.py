"""Pipeline step 6 (speed): the memory nodes of the matcher (`engine.inference.matcher`).

experta's join, not and conflict-set nodes, swapped in by `TouchedNodesMatcher` for the nodes
experta builds: each tells its matcher when it is first written to after a reset (so a reset
wipes only those), and builds its tokens and token infos as experta's constructors do, without
their re-validation and debug lines. A conflict-set node reports to its matcher when a token
reaches it, and keeps its won and lost activations in lists.

It relies on experta 1.9.4 internals (pinned in pyproject.toml); tests/engine/inference/
test_matcher.py compares the firings with the stock matcher's.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from experta.activation import Activation
from experta.matchers.rete.nodes import ConflictSetNode, NotNode, OrdinaryMatchNode
from experta.matchers.rete.token import Token, TokenInfo

_new_token = tuple.__new__  # Token is a namedtuple: build one without re-validating its parts
_VALID, _INVALID = Token.TagType.VALID, Token.TagType.INVALID


class _Memory:
    """A node with memory tells its matcher when it is first written to after a reset (marks
    itself `_dirty` and joins the matcher's list, inline in each entry point: a call per write
    was a hundred calls a cluster)."""

    _matcher: Any  # its `TouchedNodesMatcher` (engine.inference.matcher)
    _dirty: bool


class _TwoInput(_Memory):
    """A join or a not node: it only reads the token it receives, so no copy is needed."""

    def activate_left(self, token: Token) -> None:
        """A token from the left input, its memory marked as written first."""
        if not self._dirty:
            self._dirty = True
            self._matcher._dirty.append(self)
        self._activate_left(token)  # type: ignore[attr-defined]

    def activate_right(self, token: Token) -> None:
        """A token from the right input, its memory marked as written first."""
        if not self._dirty:
            self._dirty = True
            self._matcher._dirty.append(self)
        self._activate_right(token)  # type: ignore[attr-defined]


def _info(token: Token) -> Any:
    """`token.to_info()`: the token's facts and bindings frozen, built as TokenInfo builds them."""
    return _new_token(TokenInfo, (frozenset(token.data), frozenset(token.context.items())))


class _Join(_TwoInput, OrdinaryMatchNode):
    """experta's join, its tokens built without re-validation and no debug line per pair."""

    def _activate_left(self, token: Token) -> None:
        self._join(token, self.left_memory, self.right_memory, True)

    def _activate_right(self, token: Token) -> None:
        self._join(token, self.right_memory, self.left_memory, False)

    def _join(self, token: Token, memory: list[Any], other: list[Any], is_left: bool) -> None:
        # experta's `OrdinaryMatchNode.__activation`
        if token.tag is _VALID:
            memory.append(_info(token))
        else:
            with suppress(ValueError):
                memory.remove(_info(token))
        context = token.context
        for other_data, other_frozen in other:
            other_context = dict(other_frozen)
            if is_left:
                match = self.matcher(context, other_context)
            else:
                match = self.matcher(other_context, context)
            if not match:
                continue
            joined = {k: v for k, v in context.items() if isinstance(k, str)}
            for k, v in other_context.items():
                if not isinstance(k, tuple):  # negated values are not needed any further
                    joined[k] = v
            new = _new_token(Token, (token.tag, token.data | other_data, joined))
            for child in self.children:
                child.callback(new)


class _Not(_TwoInput, NotNode):
    """experta's not node, its tokens built without re-validation."""

    def _activate_left(self, token: Token) -> None:
        info, valid = _info(token), token.tag is _VALID
        if not self.right_memory:
            if valid:
                self.left_memory[info] = 0
            else:
                del self.left_memory[info]
            for child in self.children:
                child.callback(token)
            return
        count = 0
        for _, right_context in self.right_memory:
            if self.matcher(token.context, dict(right_context)):
                count += 1
                if not valid:
                    break
        if count == 0:
            for child in self.children:
                child.callback(token)
        if valid:
            self.left_memory[info] = count
        else:
            del self.left_memory[info]

    def _activate_right(self, token: Token) -> None:
        if token.tag is _VALID:
            self.right_memory.append(_info(token))
            inc = 1
        else:
            inc = -1
            self.right_memory.remove(_info(token))
        for left in self.left_memory:
            if self.matcher(dict(left.context), token.context):
                self.left_memory[left] += inc
                count = self.left_memory[left]
                if (count == 0 and inc == -1) or (count == 1 and inc == 1):
                    tag = _VALID if inc == -1 else _INVALID
                    new = _new_token(Token, (tag, set(left.data), dict(left.context)))
                    for child in self.children:
                        child.callback(new)


class _ConflictSet(_Memory, ConflictSetNode):
    """A conflict-set node that tells its matcher it has something to report, and keeps the
    activations won and lost since the last poll in lists: experta's sets hashed each activation
    twice (its rule, facts and bindings) though a node never reports one twice, as its memory of
    tokens already says."""

    _order: int
    _touched: bool
    added: Any
    removed: Any

    def activate(self, token: Token) -> None:
        """Take a token and tell the matcher this node has activations to report."""
        if not self._dirty:
            self._dirty = True
            self._matcher._dirty.append(self)
        self._activate(token)  # reads the token only
        if not self._touched:
            self._touched = True
            self._matcher._touched.append(self)

    def _activate(self, token: Token) -> None:
        """experta's `ConflictSetNode._activate`, the token's info built without re-checking."""
        context = token.context
        info = _new_token(TokenInfo, (frozenset(token.data), frozenset(context.items())))
        activation = Activation(
            self.rule, info.data, {k: v for k, v in context.items() if isinstance(k, str)}
        )
        if token.tag is _VALID:
            if info not in self.memory:
                self.memory.add(info)
                if activation in self.removed:
                    self.removed.remove(activation)
                else:
                    self.added.append(activation)
        else:
            try:
                self.memory.remove(info)
            except ValueError:  # experta's (a set raises KeyError)
                pass
            else:
                if activation in self.added:
                    self.added.remove(activation)
                else:
                    self.removed.append(activation)

    def get_activations(self) -> tuple[list[Any], list[Any]]:
        """The activations won and lost since the last call."""
        res = (self.added, self.removed)
        self.added, self.removed = [], []
        return res

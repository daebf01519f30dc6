"""The client's turns mapped onto the stored tree, through the service.

Every turn's chain hash (see :mod:`.history`) names the stored message it reached. For a request, the longest
known prefix of its history is found in one query; the rest of the history (a first request with earlier
messages, an edited message, an assistant reply the client changed) is stored through the service like any
turn: each user message is assessed and folded by the policy, and the client's own assistant text is stored as
the reply (``responder`` = ``proxy-client``). So abuse in history the store never saw still counts, an edited
user message is a sibling (a new branch), and an ended path stays ended.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lastresort.core.state import PathState
from lastresort.proxy.history import Turn, chain, seed
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta
from lastresort.service import ConversationService
from lastresort.store.repo import MessageRow, UserRow

__all__ = ["PathMapper", "Position", "RecordedResponder"]

_TITLE_CHARS = 80


class RecordedResponder:
    """Writes the assistant text the client sent: history the proxy did not see being written."""

    name = "proxy-client"

    def __init__(self, text: str) -> None:
        self.text = text

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta(self.text)


@dataclass(frozen=True, kw_only=True)
class Position:
    """Where a request's history leads: the stored node of its last turn, or where its final user turn goes."""

    conversation_id: str
    node_id: str | None  # the last stored message of the history (None: the conversation's root)
    node_state: PathState
    root_sibling: str | None  # a root user message to branch beside, when the new turn is a root
    stored_user_id: str | None  # the final user turn is stored already (the client regenerates the reply)
    chain_hash: str  # the chain hash of the final turn


class PathMapper:
    def __init__(self, service: ConversationService) -> None:
        self.service = service

    def locate(self, user: UserRow, conversation_key: str | None, path: Sequence[Turn]) -> Position:
        """Store whatever of ``path`` the tree lacks, except a final user turn, and say where the path leads.

        Raises :class:`~lastresort.errors.ConversationEnded` when stored history reaches an ended path."""
        assert path, "a path has at least one turn"
        start = seed(user.id, conversation_key)
        hashes = chain(start, path)
        with self.service.store.read() as tx:
            known = tx.proxy_nodes(user.id, [start, *hashes])
        matched = max((i for i, h in enumerate(hashes) if h in known), default=-1)
        if matched >= 0:
            conversation_id, node_id = known[hashes[matched]]
        elif start in known:
            conversation_id, node_id = known[start][0], None
        else:
            conv = self.service.create_conversation(user, _title(path))
            conversation_id, node_id = conv.id, None
            if conversation_key is not None:
                self._record(user, start, conversation_id, None)
        final_user = path[-1].role == "user"
        last_to_store = len(path) - 1 if final_user else len(path)
        i = matched + 1
        while i < last_to_store:
            turn = path[i]
            if turn.role == "assistant":  # a reply the client changed (or one the store lacks): a sibling reply
                assert node_id is not None
                result = self.service.stream_retry(user, conversation_id, node_id,
                                                   responder=RecordedResponder(turn.text)).result()
                node_id = result.assistant_message.id
                self._record(user, hashes[i], conversation_id, node_id)
                i += 1
                continue
            reply = path[i + 1]  # i < last_to_store, so a user turn here is followed by its reply
            stream = self.service.stream_message(user, conversation_id, turn.text, parent_id=node_id,
                                                 edit_of=self._root_sibling(conversation_id, node_id),
                                                 responder=RecordedResponder(reply.text))
            self._record(user, hashes[i], conversation_id, stream.reply_to.id)
            node_id = stream.result().assistant_message.id
            self._record(user, hashes[i + 1], conversation_id, node_id)
            i += 2
        stored_user = known.get(hashes[-1]) if final_user else None
        with self.service.store.read() as tx:
            node = tx.get_message(conversation_id, node_id) if node_id else None
        return Position(conversation_id=conversation_id, node_id=node_id,
                        node_state=node.state if node else PathState(),
                        root_sibling=None if stored_user else self._root_sibling(conversation_id, node_id),
                        stored_user_id=stored_user[1] if stored_user else None, chain_hash=hashes[-1])

    def record_user(self, user: UserRow, position: Position, message: MessageRow) -> None:
        self._record(user, position.chain_hash, position.conversation_id, message.id)

    def record_reply(self, user: UserRow, position: Position, message: MessageRow, client_text: str) -> None:
        """Record the reply under the text the client will send back for it (its normalised form)."""
        self._record(user, chain(position.chain_hash, [Turn("assistant", client_text)])[0],
                     position.conversation_id, message.id)

    def _root_sibling(self, conversation_id: str, node_id: str | None) -> str | None:
        if node_id is not None:
            return None
        with self.service.store.read() as tx:
            roots = tx.children(conversation_id, None)
        return roots[0].id if roots else None

    def _record(self, user: UserRow, chain_hash: str, conversation_id: str, message_id: str | None) -> None:
        with self.service.store.write() as tx:
            tx.add_proxy_node(user.id, chain_hash, conversation_id, message_id)


def _title(path: Sequence[Turn]) -> str:
    first = " ".join(path[0].text.split())
    return first if len(first) <= _TITLE_CHARS else first[: _TITLE_CHARS - 1] + "…"

"""A real SMTP server on loopback for tests (aiosmtpd), keeping each message it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, into: list[Message], lock: threading.Lock, gate: threading.Event) -> None:
        self.into, self.lock, self.gate = into, lock, gate

    async def handle_DATA(self, server, session, envelope):
        if not self.gate.is_set():  # stalled: the sender waits for the answer
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.into.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackSmtp:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        # Cleared, the server stalls: it takes each email's content and answers nothing until
        # it is set again.
        self.answering = threading.Event()
        self.answering.set()
        self.port = _free_port()
        self._controller = Controller(
            _Keep(self.messages, self._lock, self.answering), hostname="127.0.0.1", port=self.port
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self.answering.set()
        self._controller.stop()

    def take(self, app=None) -> list[Message]:
        """The messages received since the last call; given the ``app``, once every email it
        has queued (sent after each answer, by a job) has been sent."""
        if app is not None:
            app.extensions["cpc_jobs"].wait()
        with self._lock:
            taken = list(self.messages)
            self.messages.clear()
        return taken

    @staticmethod
    def body(message: Message) -> str:
        payload = message.get_payload(decode=True)
        return payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)

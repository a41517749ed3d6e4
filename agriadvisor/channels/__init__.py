"""Where farmers reach the Advisor: SMS and WhatsApp webhooks, and batch files for agronomists.

Modules, each with one job:
    ``formatting``    fit an Answer into SMS segments or a WhatsApp message
    ``state``         per-farmer memory in SQLite, phone numbers only as keyed hashes
    ``conversation``  keywords (STOP, START, RESET, HELP), memory and the Advisor, per message
    ``ratelimit``     per-sender token buckets
    ``twilio``        Twilio's form posts, signatures and TwiML
    ``meta``          the WhatsApp Cloud API's JSON, signatures and reply senders
    ``server``        the FastAPI app (needs the ``server`` extra)
    ``batch``         resumable CSV/JSONL batch runs

``create_app`` is imported on first use, so FastAPI is needed only by the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agriadvisor.channels.conversation import Conversation, Reply
from agriadvisor.channels.formatting import SmsFormatter, SmsInfo, WhatsAppFormatter, sms_segments
from agriadvisor.channels.meta import MessageSender, Outbox
from agriadvisor.channels.ratelimit import RateLimiter
from agriadvisor.channels.state import FarmerState, StateStore

if TYPE_CHECKING:
    from agriadvisor.channels.batch import BatchSummary, run_batch
    from agriadvisor.channels.server import create_app

__all__ = ["BatchSummary", "Conversation", "FarmerState", "MessageSender", "Outbox", "RateLimiter", "Reply",
           "SmsFormatter", "SmsInfo", "StateStore", "WhatsAppFormatter", "create_app", "run_batch", "sms_segments"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from agriadvisor.channels.server import create_app

        return create_app
    if name in ("run_batch", "BatchSummary"):
        from agriadvisor.channels import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'agriadvisor.channels' has no attribute {name!r}")

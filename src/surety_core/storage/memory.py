"""The in-memory store: thread-safe and transactional; its data lives as long as the process.

>>> from surety_core.storage.memory import MemoryStore
>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     uow.numbers.allocate()
'0000000001'
"""

from surety_core.storage._memory import MemoryStore

__all__ = ["MemoryStore"]

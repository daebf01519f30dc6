"""``lastresort proxy``: last-resort ending in front of any OpenAI-compatible chat-completions server.

- :mod:`.history`: the client's messages as alternating user/assistant turns and their hash chain;
- :mod:`.identity`: which lastresort user a request belongs to;
- :mod:`.paths`: the turns mapped onto the stored tree through the service (history the store has not seen
  is assessed and stored, an edited message becomes a branch);
- :mod:`.upstream`: the upstream client and the responder that forwards a turn to it;
- :mod:`.replies`: chat-completion bodies and chunks for the replies the proxy writes itself;
- :mod:`.app`: the ASGI app.
"""

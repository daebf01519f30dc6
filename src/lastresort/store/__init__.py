"""The store: identity and persistence for users, conversation trees, cached path state and feedback."""

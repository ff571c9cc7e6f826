"""Figures about trade through Serumpun (the officers' dashboard, the command-center feed) and the feed's tokens."""

"""A health FAQ chatbot for Telegram, answering from a reviewed article's knowledge base."""

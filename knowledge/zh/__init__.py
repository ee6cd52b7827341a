"""Chinese-language helpers: numerals and the phrases callers use for age."""

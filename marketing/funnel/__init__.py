"""First-party funnel recording: sources and bots (``sources``), the per-request state and cookies
(``middleware``), the buffer (``recorder``), the batch writer (``writer``) and order attribution
(``attribution``). See docs/marketing.md."""

"""征求意见稿公开征求意见服务 (public comment service for draft regulations)."""

__version__ = "0.1.0"

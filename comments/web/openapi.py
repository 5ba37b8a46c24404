"""The OpenAPI document served at /api/openapi.json.

The comment payload's schema comes from the model that validates it (``intake/payload.py``),
made with this service's settings.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from analysis import CORRECTABLE_FLAGS, POLARITIES, STANCES
from comments.intake import payload_schema

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "征求意见稿公开征求意见服务 API",
        "version": "1",
        "description": "公众可读取草案、逐条提交意见、凭回执编号查询；起草单位凭令牌读取意见汇总。"
        '所有错误都以 {"error": {"code", "message"}} 返回。',
    },
    "paths": {
        "/api/drafts": {
            "get": {
                "summary": "草案列表",
                "operationId": "listDrafts",
                "responses": {
                    "200": {
                        "description": "公开的草案",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "drafts": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/DraftSummary"},
                                        }
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/drafts/{slug}": {
            "get": {
                "summary": "草案全文（条款树）",
                "operationId": "getDraft",
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "responses": {
                    "200": {
                        "description": "草案及其条款树，每个节点带意见数",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Draft"}}
                        },
                    },
                    "404": _error("没有这份草案"),
                },
            }
        },
        "/api/drafts/{slug}/comments": {
            "post": {
                "summary": "提交意见",
                "operationId": "postComment",
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewComment"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "意见已保存（事务提交后才返回回执）",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "receipt", "status"],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "receipt": {"type": "string", "example": "7K3QFM-9X2AB4"},
                                        "url": {"type": "string"},
                                        "created_at": {"type": "string", "format": "date-time"},
                                        "status": {
                                            "type": "string",
                                            "enum": ["published", "pending"],
                                            "description": "pending：待人工审核后公开",
                                        },
                                        "held_because": {
                                            "type": "string",
                                            "description": "待审核的原因（仅 pending 时）",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": _error("内容为空、过长、JSON 无效或字段不合规"),
                    "403": _error("征求意见期已结束或尚未开始"),
                    "404": _error("没有这份草案或这个条款"),
                    "413": _error("请求体过大"),
                    "429": _error("提交过于频繁（带 Retry-After）"),
                    "503": _error(
                        "数据库暂时不可用：database_unavailable 意见未保存；"
                        "commit_uncertain 可能已保存，用同一幂等键重试拿到原回执"
                    ),
                },
            }
        },
        "/api/receipts/{receipt}": {
            "get": {
                "summary": "凭回执查询意见",
                "operationId": "getReceipt",
                "parameters": [
                    {
                        "name": "receipt",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "意见及其状态",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                        },
                    },
                    "400": _error("回执编号格式不正确"),
                    "404": _error("没有这个回执"),
                },
            }
        },
        "/api/drafts/{slug}/digest": {
            "get": {
                "summary": "意见汇总分析（JSON，仅起草单位）",
                "operationId": "getDigest",
                "security": [{"bearer": []}],
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "responses": {
                    "200": {
                        "description": "汇总，含每条意见的标注",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "401": _error("缺少或无效的令牌"),
                    "403": _error("无权查看这份草案"),
                    "404": _error("没有这份草案"),
                },
            }
        },
        "/api/drafts/{slug}/digest.md": {
            "get": {
                "summary": "意见汇总分析（Markdown，仅起草单位）",
                "operationId": "getDigestMarkdown",
                "security": [{"bearer": []}],
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "responses": {
                    "200": {
                        "description": "Markdown 文档",
                        "content": {"text/markdown": {"schema": {"type": "string"}}},
                    },
                    "401": _error("缺少或无效的令牌"),
                    "403": _error("无权查看这份草案"),
                    "404": _error("没有这份草案"),
                },
            }
        },
        "/api/drafts/{slug}/corrections": {
            "post": {
                "summary": "更正一条意见或一个观点（仅起草单位）",
                "description": (
                    "更正意见：{comment, stance?, polarity?, flags?, clause?, cluster?, label?}，"
                    'cluster 为观点编号、"new"（新观点，label 为其名称）或 null（移出观点）；'
                    "clause 为条款编号，空字符串或 null 表示总体意见。"
                    "整理观点：{cluster, label?, reviewed?, merge_into?, split?}。"
                    "人工更正的值在汇总中生效，并在之后的分析中保留。"
                ),
                "operationId": "postCorrection",
                "security": [{"bearer": []}],
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/CommentCorrection"},
                                    {"$ref": "#/components/schemas/PointCorrection"},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "已保存的更正（每个字段一条）",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Corrections"}
                            }
                        },
                    },
                    "400": _error("请求体不是 JSON 对象，或没有说明更正对象"),
                    "401": _error("缺少或无效的令牌"),
                    "403": _error("无权处理这份草案"),
                    "404": _error("没有这份草案、这条意见或这个观点"),
                    "415": _error("请求体不是 application/json"),
                    "422": _error("字段或取值不正确（立场、语气、标记、条款、观点名称等）"),
                },
            },
            "get": {
                "summary": "这份草案的全部更正（仅起草单位）",
                "operationId": "listCorrections",
                "security": [{"bearer": []}],
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "responses": {
                    "200": {
                        "description": "更正记录，按时间先后",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Corrections"}
                            }
                        },
                    },
                    "401": _error("缺少或无效的令牌"),
                    "403": _error("无权处理这份草案"),
                    "404": _error("没有这份草案"),
                },
            },
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "slug": {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
        },
        "schemas": {
            "CommentCorrection": {
                "type": "object",
                "required": ["comment"],
                "additionalProperties": False,
                "properties": {
                    "comment": {"type": "integer"},
                    "stance": {"enum": list(STANCES)},
                    "polarity": {"enum": list(POLARITIES)},
                    "flags": {"type": "array", "items": {"enum": list(CORRECTABLE_FLAGS)}},
                    "clause": {"type": ["string", "null"]},
                    "cluster": {"type": ["string", "null"]},
                    "label": {"type": "string", "maxLength": 100},
                },
            },
            "PointCorrection": {
                "type": "object",
                "required": ["cluster"],
                "additionalProperties": False,
                "properties": {
                    "cluster": {"type": "string"},
                    "label": {"type": "string", "minLength": 1, "maxLength": 100},
                    "reviewed": {"type": "boolean"},
                    "merge_into": {"type": "string"},
                    "split": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
                },
            },
            "Corrections": {
                "type": "object",
                "properties": {
                    "corrections": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "target_kind": {"enum": ["comment", "point"]},
                                "target_id": {"type": "string"},
                                "field": {"type": "string"},
                                "value": {},
                                "previous": {},
                                "actor": {"type": "string"},
                                "created_at": {"type": "string", "format": "date-time"},
                            },
                        },
                    }
                },
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    }
                },
            },
            "DraftSummary": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "title": {"type": "string"},
                    "issuer": {"type": "string"},
                    "contact": {"type": "string"},
                    "opens_on": {"type": "string", "format": "date", "nullable": True},
                    "deadline": {"type": "string", "format": "date", "nullable": True},
                    "period": {"type": "string", "enum": ["open", "ended", "closed", "not_yet"]},
                    "accepting_comments": {"type": "boolean"},
                    "days_left": {"type": "integer", "nullable": True},
                    "is_example": {"type": "boolean"},
                    "comment_count": {"type": "integer"},
                    "url": {"type": "string"},
                },
            },
            "Node": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "kind": {"type": "string"},
                    "label": {"type": "string"},
                    "number": {"type": "integer", "nullable": True},
                    "heading": {"type": "string"},
                    "text": {"type": "string"},
                    "comments": {"type": "integer"},
                    "rows": {
                        "type": "array",
                        "items": {"type": "array", "items": {"type": "string"}},
                    },
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                },
            },
            "Draft": {
                "allOf": [
                    {"$ref": "#/components/schemas/DraftSummary"},
                    {
                        "type": "object",
                        "properties": {
                            "whole_draft_comments": {"type": "integer"},
                            "nodes": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Node"},
                            },
                        },
                    },
                ]
            },
            "NewComment": {},  # filled in by document(): the payload model's own schema
            "Receipt": {
                "type": "object",
                "properties": {
                    "receipt": {"type": "string"},
                    "draft": {
                        "type": "object",
                        "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
                    },
                    "clause": {"type": "string", "nullable": True},
                    "body": {"type": "string"},
                    "submitter_type": {"type": "string"},
                    "status": {"type": "string", "enum": ["published", "pending", "hidden"]},
                    "status_label": {"type": "string"},
                    "held_because": {
                        "type": "string",
                        "description": "待审核时说明原因（如 含联系方式等个人信息，待人工审核后公开），否则为空",
                    },
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}


@functools.cache
def document(max_comment_chars: int) -> dict[str, Any]:
    """The document for a service whose comments have at most ``max_comment_chars``."""
    doc = copy.deepcopy(_DOCUMENT)
    doc["components"]["schemas"]["NewComment"] = payload_schema(max_comment_chars)
    return doc

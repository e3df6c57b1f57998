"""What every reader module shares: the page size, draining a listing, tags, a response's body.

``reader`` reads a region through ``read_windows``, ``read_baselines`` and
``iam``; these helpers are theirs alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any

T = TypeVar("T")

#: Given a resource's tags: does it belong to what is being read?
OwnerTest = Callable[[dict[str, str]], bool]
#: The largest pages the describe calls allow: fewer round trips.
PAGE: dict[str, Any] = {"PaginationConfig": {"PageSize": 100}}


def drain(items: Iterator[T]) -> list[T]:
    """Drain a paginated listing (inside one gate slot: its pages follow one another)."""
    return list(items)


def list_tags(ssm: SSMClient, resource_type: str, resource_id: str) -> dict[str, str]:
    """A resource's tags as a dict."""
    response = ssm.list_tags_for_resource(
        ResourceType=resource_type,  # type: ignore[arg-type]
        ResourceId=resource_id,
    )
    return {t["Key"]: t["Value"] for t in response.get("TagList", [])}


def strip(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response

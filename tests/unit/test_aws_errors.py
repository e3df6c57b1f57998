"""An AWS failure is one line (aws/errors.describe_error), whatever the body was.

botocore puts a body it could not parse into the error's Message: an XML error where
JSON was expected (moto's IAM denials), an HTML page from a proxy in between. The line
takes the Code and Message out of such a body, collapses whitespace and is cut short.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from patchsetup.aws.errors import MESSAGE_MAX, describe_error


def _error(code: str, message: str, operation: str = "DescribeOrganization") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def test_an_xml_body_gives_its_code_and_message() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Errors><Error>'
        "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x is not "
        "authorized to perform: organizations:DescribeOrganization</Message>"
        "<Type>Sender</Type></Error></Errors></ErrorResponse>"
    )
    assert describe_error(_error("403", body)) == (
        "DescribeOrganization failed: 403: AccessDenied: User: arn:aws:iam::123456789012:"
        "user/x is not authorized to perform: organizations:DescribeOrganization"
    )


def test_an_html_page_is_one_short_line() -> None:
    page = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>" + "x " * 400 + "</body>"
    line = describe_error(_error("502", page, "DescribeMaintenanceWindows"))
    assert "\n" not in line
    assert line.startswith("DescribeMaintenanceWindows failed: 502: <html> <head><title>502")
    assert (
        line.endswith("...")
        and len(line) <= len("DescribeMaintenanceWindows failed: 502: ") + MESSAGE_MAX
    )


def test_aws_own_words_are_kept_as_they_are() -> None:
    message = "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint"
    assert describe_error(_error("ValidationException", message, "CreatePatchBaseline")) == (
        f"CreatePatchBaseline failed: ValidationException: {message}"
    )

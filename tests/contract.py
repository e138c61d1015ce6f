"""Every /api/ answer the test suite gets, checked against the generated OpenAPI document.

`watch(app)` adds an after-request hook that checks each answer under /api/ (test client and
live server alike): its status must be declared for the operation, its media type too, its
body must match the declared schema and the declared required headers must be there. Any
mismatch is kept in `app.extensions["contract_mismatches"]`; the conftest fails the test that
produced it.
"""

import json
from typing import Any

from flask import Flask, Response, request
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from werkzeug.exceptions import HTTPException

from web.contract.document import openapi_document

DOCUMENT = "urn:kpi-advisor:openapi"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class ContractWatch:
    """Checks answers against one app's document; keeps what did not match."""

    def __init__(self, app: Flask):
        self.app = app
        self.mismatches: list[str] = []
        self._validators: dict[str, Draft202012Validator] = {}
        self._document: dict | None = None

    def document(self) -> dict:
        if self._document is None:
            self._document = openapi_document()
        return self._document

    def validator(self, schema: dict) -> Draft202012Validator:
        """Return a validator of `schema`, its refs resolved inside the document."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            resource = Resource.from_contents({**self.document(), "$schema": DIALECT})
            registry = Registry().with_resource(DOCUMENT, resource)
            absolute = json.loads(key.replace('"#/components/', f'"{DOCUMENT}#/components/'))
            self._validators[key] = Draft202012Validator(absolute, registry=registry)
        return self._validators[key]

    def operation(self) -> tuple[str, str] | None:
        """Return the document's (path, method) of this request, or None if none matches."""
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(request.path, method=request.method)
        except HTTPException:
            return None
        op = getattr(self.app.view_functions[endpoint], "api_operation", None)
        if op is None:
            return None
        path = next(p for p, ops in self.document()["paths"].items()
                    if op.method.lower() in ops and ops[op.method.lower()]["operationId"]
                    == op.operation_id)
        return path, op.method.lower()

    def check(self, response: Response) -> Response:
        """Record how this answer breaks the document, if it does."""
        # HEAD and OPTIONS are answered by Flask itself for every route; they are no operations.
        if not request.path.startswith("/api/") or request.method in ("HEAD", "OPTIONS"):
            return response
        found = self.operation()
        where = f"{request.method} {request.full_path.rstrip('?')} -> {response.status_code}"
        if found is None:
            declared = self._problem_only(response)
        else:
            path, method = found
            declared = self.document()["paths"][path][method]["responses"].get(
                str(response.status_code))
            if declared is None:
                self.mismatches.append(f"{where}: status not declared for {method} {path}")
                return response
        for problem in self._problems(response, declared):
            self.mismatches.append(f"{where}: {problem}")
        return response

    def _problem_only(self, response: Response) -> dict:
        """Return what an answer outside any operation must be: a problem (404, 405)."""
        problem = self.document()["paths"]["/api/v1/plans/{plan_id}"]["get"]["responses"]
        return problem.get(str(response.status_code), problem["404"])

    def _problems(self, response: Response, declared: dict) -> list[str]:
        found = []
        content = declared.get("content", {})
        media = response.mimetype
        if media not in content:
            return [f"media type {media} not declared ({', '.join(content)})"]
        for name, header in declared.get("headers", {}).items():
            if header.get("required") and name not in response.headers:
                found.append(f"required header {name} missing")
        if media.endswith("json"):
            body: Any = json.loads(response.get_data(as_text=True))
            for error in self.validator(content[media]["schema"]).iter_errors(body):
                path = "/".join(str(p) for p in error.absolute_path)
                found.append(f"body at /{path}: {error.message[:300]}")
        return found


def watch(app: Flask) -> ContractWatch:
    """Check every /api/ answer of `app` against its document from now on."""
    contract = ContractWatch(app)
    app.extensions["contract_watch"] = contract
    app.after_request(contract.check)
    return contract

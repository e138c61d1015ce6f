"""The API's contract: each operation declared once (its models for query, body and every
status), the routes built from those declarations, and the OpenAPI document generated from them."""

"""A Python service instrumented with OpenTelemetry's own Python SDK (no faultline code): it records an
exception on its request span, as any OpenTelemetry-instrumented service does. The collector's faultline
processor gives that exception faultline.exception and a fingerprint computed the way core computes one.

    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318/v1/traces python app.py <service> <order id> [kind]

Prints the trace id (hex) of the span it sent.
"""
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode


def price(order_id):
    raise ValueError(f"order {order_id} has no price")


def lookup(order_id):
    return {"known": 1}[f"order-{order_id}"]


def charge(order_id, kind):
    if kind == "missing":
        return lookup(order_id)
    return price(order_id)


def main():
    service, order_id = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "price"
    provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": "2.0.1"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))
    tracer = provider.get_tracer("billing")
    with tracer.start_as_current_span("POST /charge", record_exception=False, set_status_on_exception=False) as span:
        try:
            charge(order_id, kind)
        except Exception as err:  # recorded, as an instrumented handler does
            span.record_exception(err)
            span.set_status(Status(StatusCode.ERROR, str(err)))
        print(format(span.get_span_context().trace_id, "032x"))
    provider.shutdown()


if __name__ == "__main__":
    main()

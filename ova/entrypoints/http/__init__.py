"""The HTTP entrypoint: Starlette routes over the application use cases."""

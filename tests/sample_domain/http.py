from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.sample_domain.models import SampleNote


async def note_count(request: Request) -> JSONResponse:
    return JSONResponse({"notes": await SampleNote.filter(private=False).count()})


routes = [Route("/sample/notes.json", note_count)]

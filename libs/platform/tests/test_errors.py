"""Errors keep their types across a service boundary."""
from nameko.exceptions import deserialize, serialize

from paraph_platform.errors import Conflict, InvalidInput, NotFound


def test_details_survive_serialisation_with_their_types():
    exc = Conflict("No seat left.", {"seats_total": 10, "otp_required": True, "fields": {"x": ["bad"]}})
    back = deserialize(serialize(exc))
    assert isinstance(back, Conflict)
    assert back.message == "No seat left." and back.details == exc.details
    assert back.to_problem()["errors"] == {"x": ["bad"]} and back.to_problem()["otp_required"] is True


def test_no_details():
    back = deserialize(serialize(NotFound("Customer not found.")))
    assert isinstance(back, NotFound) and back.details == {} and str(back) == "Customer not found."
    assert deserialize(serialize(InvalidInput())).message == "Invalid input"

"""Travel times between places, behind one protocol so road engines can replace the default."""

from ambulant.travel.geodesic import GeodesicTravelTimes
from ambulant.travel.protocol import Point, TravelMatrix, TravelTimes

__all__ = ["GeodesicTravelTimes", "Point", "TravelMatrix", "TravelTimes"]

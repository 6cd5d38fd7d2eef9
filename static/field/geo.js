// Location: the phone's GPS fix as a promise, and great-circle distances for instant feedback without the server.

const EARTH_RADIUS_M = 6371008.8;

/** Haversine distance in metres; within a few metres of the server's ellipsoidal figure at market scale. */
export function distanceM(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** {latitude, longitude, accuracy_m, at} or a rejection with a Vietnamese message. */
export function currentPosition({ maximumAge = 15000, timeout = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("Máy không hỗ trợ định vị."));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          latitude: pos.coords.latitude,
          longitude: pos.coords.longitude,
          accuracy_m: Math.round(pos.coords.accuracy * 10) / 10,
          at: pos.timestamp,
        }),
      (error) =>
        reject(
          new Error(
            error.code === 1
              ? "Chưa cho phép ứng dụng truy cập vị trí."
              : error.code === 3
                ? "Hết thời gian chờ tín hiệu GPS."
                : "Không có tín hiệu GPS."
          )
        ),
      { enableHighAccuracy: true, maximumAge, timeout }
    );
  });
}

/** The warnings the server would flag for this fix (same rules as inspect_app/geo.py), for the screen at once. */
export function assessFix(fix, premise, settings) {
  const warnings = [];
  if (!fix) return { distance: null, warnings: ["Không có vị trí GPS."] };
  const maxAccuracy = settings.gps_max_accuracy_m;
  const maxDistance = settings.gps_max_distance_m;
  if (fix.accuracy_m === null || fix.accuracy_m === undefined || fix.accuracy_m > maxAccuracy) {
    warnings.push(`Vị trí GPS kém chính xác: sai số ±${Math.round(fix.accuracy_m)} m (cho phép tối đa ${maxAccuracy} m).`);
  }
  if (premise.latitude === null || premise.longitude === null) {
    return { distance: null, warnings };
  }
  const distance = distanceM(fix.latitude, fix.longitude, premise.latitude, premise.longitude);
  if (distance > maxDistance + (fix.accuracy_m || 0)) {
    warnings.push(
      `Vị trí hiện tại cách vị trí đã đăng ký của cơ sở ${Math.round(distance)} m (xa hơn ${maxDistance} m cộng sai số GPS).`
    );
  }
  return { distance, warnings };
}

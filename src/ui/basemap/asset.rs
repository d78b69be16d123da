//! The basemap file: country shapes as shared arcs on a quantized grid, little-endian.
//!
//! ```text
//! magic        8 bytes  "SDBASEMP"
//! version      u16      1
//! transform    4 × f64  scale x, scale y, translate x, translate y:
//!                       longitude = x × scale x + translate x, latitude likewise with y
//! arcs         varint count, then per arc: varint point count, then per point the
//!                       zigzag-varint difference in x and in y from the previous point
//!                       (the first from 0, 0)
//! countries    varint count, then per country:
//!                varint ISO 3166-1 numeric code (0 when it has none)
//!                varint name length, the name in UTF-8
//!                varint polygon count, per polygon a varint ring count (the outer ring
//!                first, then its holes), per ring a varint arc count and the zigzag-varint
//!                arc references: `i` is arc `i` forwards, `-1 - i` is arc `i` backwards
//! checksum     u32      FNV-1a of every byte before it
//! ```
//!
//! A varint is unsigned LEB128 (7 bits a byte, low bits first). Two countries that share a
//! border share its arcs, so the border is stored once and drawn alike for both.

use super::BasemapError;

const MAGIC: [u8; 8] = *b"SDBASEMP";
const VERSION: u16 = 1;
/// No name in the data is nearly this long; a longer one means the file is damaged.
const MAX_NAME_BYTES: usize = 1024;
/// Quantized coordinates beyond this are damage, not geography.
const MAX_QUANTIZED: i64 = 1 << 40;

/// From quantized grid units to degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Transform {
    pub scale: [f64; 2],
    pub translate: [f64; 2],
}

impl Transform {
    pub fn lon_lat(&self, point: [i64; 2]) -> [f64; 2] {
        [
            point[0] as f64 * self.scale[0] + self.translate[0],
            point[1] as f64 * self.scale[1] + self.translate[1],
        ]
    }
}

/// One country as arcs: polygons of rings of arc references.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CountryArcs {
    pub iso_numeric: u16,
    pub name: String,
    /// Each polygon: its outer ring, then its holes. A reference `r < 0` is arc `-1 - r`
    /// walked backwards.
    pub polygons: Vec<Vec<Vec<i64>>>,
}

/// The whole basemap as stored: the grid, the arcs on it and the countries made of them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Topology {
    pub transform: Transform,
    /// Absolute quantized points of each arc.
    pub arcs: Vec<Vec<[i64; 2]>>,
    pub countries: Vec<CountryArcs>,
}

impl Topology {
    /// The arc a reference points at and whether it is walked backwards.
    pub fn arc_of(reference: i64) -> (usize, bool) {
        if reference < 0 {
            ((-1 - reference) as usize, true)
        } else {
            (reference as usize, false)
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &byte in bytes {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    fn signed(&mut self, value: i64) {
        self.varint(zigzag(value));
    }

    fn len(&mut self, len: usize) {
        self.varint(len as u64);
    }
}

/// Writes `topology` in the basemap format.
pub(crate) fn encode(topology: &Topology) -> Vec<u8> {
    let mut out = Writer { bytes: Vec::new() };
    out.bytes.extend_from_slice(&MAGIC);
    out.bytes.extend_from_slice(&VERSION.to_le_bytes());
    for value in topology
        .transform
        .scale
        .iter()
        .chain(&topology.transform.translate)
    {
        out.bytes.extend_from_slice(&value.to_le_bytes());
    }
    out.len(topology.arcs.len());
    for arc in &topology.arcs {
        out.len(arc.len());
        let mut previous = [0i64; 2];
        for point in arc {
            out.signed(point[0] - previous[0]);
            out.signed(point[1] - previous[1]);
            previous = *point;
        }
    }
    out.len(topology.countries.len());
    for country in &topology.countries {
        out.varint(u64::from(country.iso_numeric));
        out.len(country.name.len());
        out.bytes.extend_from_slice(country.name.as_bytes());
        out.len(country.polygons.len());
        for polygon in &country.polygons {
            out.len(polygon.len());
            for ring in polygon {
                out.len(ring.len());
                for &reference in ring {
                    out.signed(reference);
                }
            }
        }
    }
    let checksum = fnv1a(&out.bytes);
    out.bytes.extend_from_slice(&checksum.to_le_bytes());
    out.bytes
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BasemapError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(BasemapError::Truncated { at: self.at })?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn f64(&mut self) -> Result<f64, BasemapError> {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(raw))
    }

    fn varint(&mut self) -> Result<u64, BasemapError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(BasemapError::Corrupt("a number is too large"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(BasemapError::Corrupt("a number is too long"))
    }

    fn signed(&mut self) -> Result<i64, BasemapError> {
        Ok(unzigzag(self.varint()?))
    }

    /// A count of items that each take at least `min_bytes`: a count the rest of the data
    /// cannot hold is damage, and is refused before anything is allocated for it.
    fn count(&mut self, min_bytes: usize) -> Result<usize, BasemapError> {
        let at = self.at;
        let count = self.varint()?;
        let remaining = (self.bytes.len() - self.at) as u64;
        if count.saturating_mul(min_bytes as u64) > remaining {
            return Err(BasemapError::Truncated { at });
        }
        Ok(count as usize)
    }
}

/// Reads the basemap format, checking every count, reference and coordinate.
pub(crate) fn decode(bytes: &[u8]) -> Result<Topology, BasemapError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(BasemapError::NotABasemap);
    }
    let header = MAGIC.len() + 2;
    if bytes.len() < header + 4 {
        return Err(BasemapError::Truncated { at: bytes.len() });
    }
    let version = u16::from_le_bytes([bytes[MAGIC.len()], bytes[MAGIC.len() + 1]]);
    if version != VERSION {
        return Err(BasemapError::UnsupportedVersion(version));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    if fnv1a(body) != stored {
        return Err(BasemapError::Checksum);
    }

    let mut reader = Reader {
        bytes: body,
        at: header,
    };
    let scale = [reader.f64()?, reader.f64()?];
    let translate = [reader.f64()?, reader.f64()?];
    if !scale.iter().chain(&translate).all(|v| v.is_finite()) || scale.contains(&0.0) {
        return Err(BasemapError::Corrupt("the coordinate grid is not usable"));
    }
    let transform = Transform { scale, translate };

    let arc_count = reader.count(1)?;
    let mut arcs = Vec::with_capacity(arc_count);
    for _ in 0..arc_count {
        let point_count = reader.count(2)?;
        if point_count < 2 {
            return Err(BasemapError::Corrupt("an arc has fewer than two points"));
        }
        let mut arc = Vec::with_capacity(point_count);
        let mut point = [0i64; 2];
        for _ in 0..point_count {
            for coordinate in &mut point {
                *coordinate = coordinate
                    .checked_add(reader.signed()?)
                    .filter(|v| v.abs() <= MAX_QUANTIZED)
                    .ok_or(BasemapError::Corrupt("a coordinate is out of range"))?;
            }
            let [lon, lat] = transform.lon_lat(point);
            if !(-180.001..=180.001).contains(&lon) || !(-90.001..=90.001).contains(&lat) {
                return Err(BasemapError::Corrupt("a coordinate is out of range"));
            }
            arc.push(point);
        }
        arcs.push(arc);
    }

    // A country takes at least its code, its name's length and its polygon count.
    let country_count = reader.count(3)?;
    let mut countries = Vec::with_capacity(country_count);
    for _ in 0..country_count {
        let iso_numeric = u16::try_from(reader.varint()?)
            .map_err(|_| BasemapError::Corrupt("a country code is out of range"))?;
        let name_len = reader.count(1)?;
        if name_len > MAX_NAME_BYTES {
            return Err(BasemapError::Corrupt("a country name is too long"));
        }
        let name = std::str::from_utf8(reader.take(name_len)?)
            .map_err(|_| BasemapError::Corrupt("a country name is not UTF-8"))?
            .to_owned();
        let polygon_count = reader.count(2)?;
        let mut polygons = Vec::with_capacity(polygon_count);
        for _ in 0..polygon_count {
            let ring_count = reader.count(2)?;
            if ring_count == 0 {
                return Err(BasemapError::Corrupt("a polygon has no ring"));
            }
            let mut rings = Vec::with_capacity(ring_count);
            for _ in 0..ring_count {
                let reference_count = reader.count(1)?;
                if reference_count == 0 {
                    return Err(BasemapError::Corrupt("a ring has no arc"));
                }
                let mut ring = Vec::with_capacity(reference_count);
                for _ in 0..reference_count {
                    let reference = reader.signed()?;
                    let (arc, _) = Topology::arc_of(reference);
                    if arc >= arcs.len() {
                        return Err(BasemapError::Corrupt("a ring refers to a missing arc"));
                    }
                    ring.push(reference);
                }
                rings.push(ring);
            }
            polygons.push(rings);
        }
        countries.push(CountryArcs {
            iso_numeric,
            name,
            polygons,
        });
    }
    if reader.at != body.len() {
        return Err(BasemapError::Corrupt(
            "unexpected bytes after the countries",
        ));
    }
    Ok(Topology {
        transform,
        arcs,
        countries,
    })
}

/// Reads a TopoJSON topology (as `world-atlas` publishes Natural Earth's countries) into a
/// [`Topology`]: the quantized, delta-encoded arcs decoded with the topology's `transform`,
/// and every `Polygon` or `MultiPolygon` of the object `countries` kept with its ISO code
/// and name. Other geometry types (a country without a shape) are left out.
pub(crate) fn from_topojson(text: &str) -> Result<Topology, BasemapError> {
    use serde_json::Value;
    let fail = |what: &str| BasemapError::TopoJson(what.to_owned());
    let root: Value =
        serde_json::from_str(text).map_err(|e| BasemapError::TopoJson(e.to_string()))?;
    if root.get("type").and_then(Value::as_str) != Some("Topology") {
        return Err(fail("the file is not a TopoJSON topology"));
    }
    let pair = |value: Option<&Value>| -> Option<[f64; 2]> {
        let items = value?.as_array()?;
        match items.as_slice() {
            [x, y, ..] => Some([x.as_f64()?, y.as_f64()?]),
            _ => None,
        }
    };
    let transform = root
        .get("transform")
        .ok_or_else(|| fail("the topology is not quantized (no transform)"))?;
    let transform = Transform {
        scale: pair(transform.get("scale")).ok_or_else(|| fail("the transform has no scale"))?,
        translate: pair(transform.get("translate"))
            .ok_or_else(|| fail("the transform has no translate"))?,
    };

    let mut arcs = Vec::new();
    for (index, arc) in root
        .get("arcs")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("the topology has no arcs"))?
        .iter()
        .enumerate()
    {
        let deltas = arc
            .as_array()
            .ok_or_else(|| fail(&format!("arc {index} is not a list")))?;
        let mut point = [0i64; 2];
        let mut points = Vec::with_capacity(deltas.len());
        for delta in deltas {
            let delta = delta
                .as_array()
                .and_then(|d| match d.as_slice() {
                    [dx, dy, ..] => Some([dx.as_i64()?, dy.as_i64()?]),
                    _ => None,
                })
                .ok_or_else(|| {
                    fail(&format!("arc {index} has a point that is not two integers"))
                })?;
            point = match (
                point[0].checked_add(delta[0]),
                point[1].checked_add(delta[1]),
            ) {
                (Some(x), Some(y)) => [x, y],
                _ => return Err(fail(&format!("arc {index} runs out of range"))),
            };
            points.push(point);
        }
        if points.len() < 2 {
            return Err(fail(&format!("arc {index} has fewer than two points")));
        }
        arcs.push(points);
    }

    let geometries = root
        .pointer("/objects/countries/geometries")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("the topology has no object `countries` with geometries"))?;
    let reference = |value: &Value| -> Result<i64, BasemapError> {
        let reference = value
            .as_i64()
            .ok_or_else(|| fail("an arc reference is not an integer"))?;
        let (arc, _) = Topology::arc_of(reference);
        if arc >= arcs.len() {
            return Err(fail(&format!(
                "arc reference {reference} points past the arcs"
            )));
        }
        Ok(reference)
    };
    let ring = |value: &Value| -> Result<Vec<i64>, BasemapError> {
        let refs = value
            .as_array()
            .filter(|refs| !refs.is_empty())
            .ok_or_else(|| fail("a ring is not a list of arc references"))?;
        refs.iter().map(reference).collect()
    };
    let polygon = |value: &Value| -> Result<Vec<Vec<i64>>, BasemapError> {
        let rings = value
            .as_array()
            .filter(|rings| !rings.is_empty())
            .ok_or_else(|| fail("a polygon is not a list of rings"))?;
        rings.iter().map(ring).collect()
    };

    let mut countries = Vec::new();
    for geometry in geometries {
        let shapes = geometry.get("arcs");
        let polygons = match (geometry.get("type").and_then(Value::as_str), shapes) {
            (Some("Polygon"), Some(rings)) => vec![polygon(rings)?],
            (Some("MultiPolygon"), Some(Value::Array(polygons))) => {
                polygons.iter().map(polygon).collect::<Result<_, _>>()?
            }
            _ => continue,
        };
        let iso_numeric = match geometry.get("id") {
            Some(Value::String(code)) => code.parse().unwrap_or(0),
            Some(Value::Number(code)) => code
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0),
            _ => 0,
        };
        let name = geometry
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if name.len() > MAX_NAME_BYTES {
            return Err(fail("a country name is too long"));
        }
        countries.push(CountryArcs {
            iso_numeric,
            name: name.to_owned(),
            polygons,
        });
    }
    let topology = Topology {
        transform,
        arcs,
        countries,
    };
    // What this side writes, the reading side must accept: the same checks, once.
    decode(&encode(&topology))?;
    Ok(topology)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Topology {
        Topology {
            transform: Transform {
                scale: [0.01, 0.01],
                translate: [-10.0, -10.0],
            },
            arcs: vec![
                vec![[0, 0], [100, 0], [100, 100]],
                vec![[100, 100], [0, 100], [0, 0]],
            ],
            countries: vec![CountryArcs {
                iso_numeric: 250,
                name: "Square".into(),
                polygons: vec![vec![vec![0, 1]]],
            }],
        }
    }

    #[test]
    fn round_trips() {
        let topology = small();
        assert_eq!(decode(&encode(&topology)).expect("reads back"), topology);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_an_error() {
        let bytes = encode(&small());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "cut at {len}");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert!(decode(&damaged).is_err(), "byte {at} flipped");
        }
    }

    #[test]
    fn damage_past_the_checksum_is_refused_without_panicking() {
        // Bytes that pass the checksum but say nonsense: huge counts, missing arcs.
        let mut topology = small();
        topology.countries[0].polygons[0][0] = vec![7];
        let mut body = encode(&topology);
        body.truncate(body.len() - 4);
        let seal = |mut body: Vec<u8>| {
            let checksum = fnv1a(&body);
            body.extend_from_slice(&checksum.to_le_bytes());
            body
        };
        assert!(matches!(
            decode(&seal(body.clone())),
            Err(BasemapError::Corrupt(_))
        ));
        let mut huge = body[..MAGIC.len() + 2 + 32].to_vec();
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(matches!(
            decode(&seal(huge)),
            Err(BasemapError::Truncated { .. })
        ));
    }

    #[test]
    fn topojson_arcs_are_delta_decoded_and_references_kept() {
        let text = r#"{"type":"Topology",
            "transform":{"scale":[0.5,0.25],"translate":[-180,-90]},
            "objects":{"countries":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","id":"250","properties":{"name":"A"},"arcs":[[0,1]]},
              {"type":"MultiPolygon","properties":{"name":"B"},"arcs":[[[1]],[[-1]]]},
              {"type":null,"id":"010"}]}},
            "arcs":[[[10,20],[5,0],[0,5]],[[15,25],[-5,-5]]]}"#;
        let topology = from_topojson(text).expect("converts");
        assert_eq!(topology.arcs[0], vec![[10, 20], [15, 20], [15, 25]]);
        assert_eq!(topology.arcs[1], vec![[15, 25], [10, 20]]);
        assert_eq!(topology.transform.lon_lat([10, 20]), [-175.0, -85.0]);
        assert_eq!(topology.countries.len(), 2);
        assert_eq!(topology.countries[0].iso_numeric, 250);
        assert_eq!(topology.countries[0].polygons, vec![vec![vec![0, 1]]]);
        assert_eq!(topology.countries[1].polygons[1], vec![vec![-1]]);
        assert_eq!(topology.countries[1].iso_numeric, 0);
        assert_eq!(topology.countries[1].polygons.len(), 2);
        assert!(from_topojson(r#"{"type":"Topology","arcs":[]}"#).is_err());
        assert!(from_topojson("not json").is_err());
    }
}

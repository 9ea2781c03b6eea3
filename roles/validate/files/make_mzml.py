"""Write a small centroided mzML: MS1 spectra with a few Gaussian chromatographic peaks.

Usage: python3 make_mzml.py OUT.mzML [SPECTRA]
"""

import base64
import math
import struct
import sys

PEAKS = [(300.1234, 20.0, 1e6), (445.1200, 45.0, 5e5), (512.3300, 70.0, 8e5)]  # m/z, RT (s), height


def array(values):
    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode()


def binary(kind, accession, values):
    data = array(values)
    return (
        f'<binaryDataArray encodedLength="{len(data)}">'
        '<cvParam cvRef="MS" accession="MS:1000523" name="64-bit float"/>'
        '<cvParam cvRef="MS" accession="MS:1000576" name="no compression"/>'
        f'<cvParam cvRef="MS" accession="{accession}" name="{kind}"/>'
        f"<binary>{data}</binary></binaryDataArray>"
    )


def spectrum(index, rt):
    mzs, intensities = [], []
    for mz, apex, height in PEAKS:
        value = height * math.exp(-((rt - apex) ** 2) / (2 * 4.0**2))
        if value > 10:
            mzs.append(mz)
            intensities.append(value)
    mzs.append(200.0 + index)  # a little noise
    intensities.append(50.0)
    order = sorted(range(len(mzs)), key=mzs.__getitem__)
    mzs, intensities = [mzs[i] for i in order], [intensities[i] for i in order]
    return (
        f'<spectrum index="{index}" id="scan={index + 1}" defaultArrayLength="{len(mzs)}">'
        '<cvParam cvRef="MS" accession="MS:1000511" name="ms level" value="1"/>'
        '<cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum"/>'
        '<cvParam cvRef="MS" accession="MS:1000127" name="centroid spectrum"/>'
        '<scanList count="1"><cvParam cvRef="MS" accession="MS:1000795" name="no combination"/>'
        f'<scan><cvParam cvRef="MS" accession="MS:1000016" name="scan start time" value="{rt}" '
        'unitCvRef="UO" unitAccession="UO:0000010" unitName="second"/></scan></scanList>'
        '<binaryDataArrayList count="2">'
        + binary("m/z array", "MS:1000514", mzs)
        + binary("intensity array", "MS:1000515", intensities)
        + "</binaryDataArrayList></spectrum>"
    )


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    spectra = "".join(spectrum(i, float(i)) for i in range(count))
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0">'
        '<cvList count="2"><cv id="MS" fullName="PSI-MS" URI="https://w3id.org/psi-ms.obo"/>'
        '<cv id="UO" fullName="Unit Ontology" URI="https://w3id.org/uo.obo"/></cvList>'
        '<fileDescription><fileContent><cvParam cvRef="MS" accession="MS:1000579" name="MS1 spectrum"/>'
        "</fileContent></fileDescription>"
        '<softwareList count="1"><software id="make_mzml" version="1"/></softwareList>'
        '<instrumentConfigurationList count="1"><instrumentConfiguration id="IC"/></instrumentConfigurationList>'
        '<dataProcessingList count="1"><dataProcessing id="DP"><processingMethod order="0" softwareRef="make_mzml">'
        '<cvParam cvRef="MS" accession="MS:1000035" name="peak picking"/></processingMethod></dataProcessing>'
        "</dataProcessingList>"
        '<run id="run" defaultInstrumentConfigurationRef="IC">'
        f'<spectrumList count="{count}" defaultDataProcessingRef="DP">{spectra}</spectrumList></run></mzML>\n'
    )
    with open(out, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()

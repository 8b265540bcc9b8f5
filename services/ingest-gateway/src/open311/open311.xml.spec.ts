import { describe, expect, it } from '@jest/globals';
import { escapeXml, toXml } from './open311.xml';

// The GeoReport v2 specification's own examples (https://wiki.open311.org/GeoReport_v2): each JSON
// document must give the spec's XML document. Empty elements are written `<x/>`, which XML holds
// equal to the spec's `<x></x>`; the comparison canonicalises that and the indentation only.
const canonical = (xml: string) =>
  xml
    .replace(/<([a-z_]+)><\/\1>/g, '<$1/>')
    .replace(/>\s+</g, '><')
    .trim();

describe(toXml.name, () => {
  it("writes the spec's service list", () => {
    const json = [
      {
        service_code: '001',
        service_name: 'Cans left out 24x7',
        description: 'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
        metadata: true,
        type: 'realtime',
        keywords: 'lorem, ipsum, dolor',
        group: 'sanitation',
      },
    ];
    expect(canonical(toXml('services', json))).toBe(
      canonical(`<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>`),
    );
  });

  it("writes the spec's service definition, its attributes and values nested", () => {
    const json = {
      service_code: 'DMV66',
      attributes: [
        {
          variable: true,
          code: 'WHISHETN',
          datatype: 'singlevaluelist',
          required: true,
          datatype_description: null,
          order: 1,
          description: 'What is the ticket/tag/DL number?',
          values: [
            { key: 123, name: 'Ford' },
            { key: 124, name: 'Chrysler' },
          ],
        },
      ],
    };
    expect(canonical(toXml('service_definition', json))).toBe(
      canonical(`<?xml version="1.0" encoding="utf-8"?>
<service_definition>
  <service_code>DMV66</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>WHISHETN</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description></datatype_description>
      <order>1</order>
      <description>What is the ticket/tag/DL number?</description>
      <values>
        <value>
          <key>123</key>
          <name>Ford</name>
        </value>
        <value>
          <key>124</key>
          <name>Chrysler</name>
        </value>
      </values>
    </attribute>
  </attributes>
</service_definition>`),
    );
  });

  it("writes the spec's answer to a POST service request", () => {
    const json = [
      {
        service_request_id: 293944,
        service_notice:
          'The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code',
        account_id: null,
      },
    ];
    expect(canonical(toXml('service_requests', json))).toBe(
      canonical(`<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
    <account_id/>
  </request>
</service_requests>`),
    );
  });

  it("writes the spec's list of service requests", () => {
    const json = [
      {
        service_request_id: 638344,
        status: 'closed',
        status_notes: 'Duplicate request.',
        service_name: 'Sidewalk and Curb Issues',
        service_code: '006',
        description: null,
        agency_responsible: null,
        service_notice: null,
        requested_datetime: '2010-04-14T06:37:38-08:00',
        updated_datetime: '2010-04-14T06:37:38-08:00',
        expected_datetime: '2010-04-15T06:37:38-08:00',
        address: '8TH AVE and JUDAH ST',
        address_id: 545483,
        zipcode: 94122,
        lat: 37.762221815,
        long: -122.4651145,
        media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
      },
    ];
    expect(canonical(toXml('service_requests', json))).toBe(
      canonical(`<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description></description>
    <agency_responsible></agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
  </request>
</service_requests>`),
    );
  });

  it("writes the spec's errors", () => {
    const json = [{ code: 403, description: "Invalid api_key received -- can't proceed with create_request." }];
    expect(canonical(toXml('errors', json))).toBe(
      canonical(`<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can&apos;t proceed with create_request.</description>
  </error>
</errors>`),
    );
  });

  it('keeps any stored text well-formed: markup escaped, characters XML cannot carry replaced', () => {
    expect(escapeXml('<b>"Rocks" & \'mud\'</b>')).toBe('&lt;b&gt;&quot;Rocks&quot; &amp; &apos;mud&apos;&lt;/b&gt;');
    expect(escapeXml('bell\u0007 and \uD800 alone')).toBe('bell\uFFFD and \uFFFD alone');
    expect(escapeXml('山体滑坡 🪨')).toBe('山体滑坡 🪨');
    expect(toXml('services', [])).toBe('<?xml version="1.0" encoding="utf-8"?>\n<services/>\n');
  });

  it('refuses a list it has no item name for, rather than inventing one', () => {
    expect(() => toXml('things', [1])).toThrow('no item element for the list things');
  });
});

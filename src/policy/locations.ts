/**
 * Where cloud regions physically are. A store's location is checked against
 * its zone's jurisdictions when the policy loads; a region missing from these
 * tables is an error, never a guess. Add a region here (with its jurisdiction)
 * when a provider opens one.
 *
 * A jurisdiction is `EU` for a member state of the European Union, `UK` for
 * the United Kingdom, and otherwise the country's ISO 3166 code. Switzerland
 * (CH), Norway (NO), Iceland (IS) and Liechtenstein (LI) are not in the EU.
 */
export const JURISDICTIONS = [
  'UK',
  'EU',
  'CH',
  'NO',
  'IS',
  'LI',
  'US',
  'CA',
  'MX',
  'BR',
  'CL',
  'JP',
  'KR',
  'IN',
  'SG',
  'HK',
  'TW',
  'AU',
  'NZ',
  'ID',
  'MY',
  'TH',
  'CN',
  'ZA',
  'AE',
  'BH',
  'QA',
  'IL',
] as const;

export type Jurisdiction = (typeof JURISDICTIONS)[number];

export interface Place {
  jurisdiction: Jurisdiction;
  /** City or area, for people reading `residency-proxy check`. */
  where: string;
}

const place = (jurisdiction: Jurisdiction, where: string): Place => ({ jurisdiction, where });

export const AWS_REGIONS: Readonly<Record<string, Place>> = {
  'us-east-1': place('US', 'N. Virginia'),
  'us-east-2': place('US', 'Ohio'),
  'us-west-1': place('US', 'N. California'),
  'us-west-2': place('US', 'Oregon'),
  'us-gov-east-1': place('US', 'GovCloud US-East'),
  'us-gov-west-1': place('US', 'GovCloud US-West'),
  'ca-central-1': place('CA', 'Montreal'),
  'ca-west-1': place('CA', 'Calgary'),
  'mx-central-1': place('MX', 'Querétaro'),
  'sa-east-1': place('BR', 'São Paulo'),
  'eu-west-1': place('EU', 'Dublin, Ireland'),
  'eu-west-2': place('UK', 'London'),
  'eu-west-3': place('EU', 'Paris, France'),
  'eu-central-1': place('EU', 'Frankfurt, Germany'),
  'eu-central-2': place('CH', 'Zurich, Switzerland'),
  'eu-north-1': place('EU', 'Stockholm, Sweden'),
  'eu-south-1': place('EU', 'Milan, Italy'),
  'eu-south-2': place('EU', 'Aragón, Spain'),
  'eusc-de-east-1': place('EU', 'Brandenburg, Germany (European Sovereign Cloud)'),
  'il-central-1': place('IL', 'Tel Aviv'),
  'me-south-1': place('BH', 'Bahrain'),
  'me-central-1': place('AE', 'UAE'),
  'af-south-1': place('ZA', 'Cape Town'),
  'ap-east-1': place('HK', 'Hong Kong'),
  'ap-east-2': place('TW', 'Taipei'),
  'ap-south-1': place('IN', 'Mumbai'),
  'ap-south-2': place('IN', 'Hyderabad'),
  'ap-southeast-1': place('SG', 'Singapore'),
  'ap-southeast-2': place('AU', 'Sydney'),
  'ap-southeast-3': place('ID', 'Jakarta'),
  'ap-southeast-4': place('AU', 'Melbourne'),
  'ap-southeast-5': place('MY', 'Malaysia'),
  'ap-southeast-6': place('NZ', 'Auckland'),
  'ap-southeast-7': place('TH', 'Thailand'),
  'ap-northeast-1': place('JP', 'Tokyo'),
  'ap-northeast-2': place('KR', 'Seoul'),
  'ap-northeast-3': place('JP', 'Osaka'),
  'cn-north-1': place('CN', 'Beijing'),
  'cn-northwest-1': place('CN', 'Ningxia'),
};

export const AZURE_REGIONS: Readonly<Record<string, Place>> = {
  eastus: place('US', 'Virginia'),
  eastus2: place('US', 'Virginia'),
  centralus: place('US', 'Iowa'),
  northcentralus: place('US', 'Illinois'),
  southcentralus: place('US', 'Texas'),
  westcentralus: place('US', 'Wyoming'),
  westus: place('US', 'California'),
  westus2: place('US', 'Washington'),
  westus3: place('US', 'Arizona'),
  usgovvirginia: place('US', 'Virginia (Government)'),
  usgovarizona: place('US', 'Arizona (Government)'),
  usgovtexas: place('US', 'Texas (Government)'),
  canadacentral: place('CA', 'Toronto'),
  canadaeast: place('CA', 'Quebec City'),
  mexicocentral: place('MX', 'Querétaro'),
  brazilsouth: place('BR', 'São Paulo'),
  brazilsoutheast: place('BR', 'Rio de Janeiro'),
  chilecentral: place('CL', 'Santiago'),
  northeurope: place('EU', 'Dublin, Ireland'),
  westeurope: place('EU', 'Amsterdam, Netherlands'),
  francecentral: place('EU', 'Paris, France'),
  francesouth: place('EU', 'Marseille, France'),
  germanywestcentral: place('EU', 'Frankfurt, Germany'),
  germanynorth: place('EU', 'Berlin, Germany'),
  swedencentral: place('EU', 'Gävle, Sweden'),
  swedensouth: place('EU', 'Malmö, Sweden'),
  polandcentral: place('EU', 'Warsaw, Poland'),
  italynorth: place('EU', 'Milan, Italy'),
  spaincentral: place('EU', 'Madrid, Spain'),
  austriaeast: place('EU', 'Vienna, Austria'),
  belgiumcentral: place('EU', 'Brussels, Belgium'),
  uksouth: place('UK', 'London'),
  ukwest: place('UK', 'Cardiff'),
  switzerlandnorth: place('CH', 'Zurich, Switzerland'),
  switzerlandwest: place('CH', 'Geneva, Switzerland'),
  norwayeast: place('NO', 'Oslo, Norway'),
  norwaywest: place('NO', 'Stavanger, Norway'),
  eastasia: place('HK', 'Hong Kong'),
  southeastasia: place('SG', 'Singapore'),
  japaneast: place('JP', 'Tokyo'),
  japanwest: place('JP', 'Osaka'),
  koreacentral: place('KR', 'Seoul'),
  koreasouth: place('KR', 'Busan'),
  centralindia: place('IN', 'Pune'),
  southindia: place('IN', 'Chennai'),
  westindia: place('IN', 'Mumbai'),
  jioindiacentral: place('IN', 'Nagpur'),
  jioindiawest: place('IN', 'Jamnagar'),
  australiaeast: place('AU', 'New South Wales'),
  australiasoutheast: place('AU', 'Victoria'),
  australiacentral: place('AU', 'Canberra'),
  australiacentral2: place('AU', 'Canberra'),
  newzealandnorth: place('NZ', 'Auckland'),
  indonesiacentral: place('ID', 'Jakarta'),
  malaysiawest: place('MY', 'Kuala Lumpur'),
  uaenorth: place('AE', 'Dubai'),
  uaecentral: place('AE', 'Abu Dhabi'),
  qatarcentral: place('QA', 'Doha'),
  israelcentral: place('IL', 'Israel'),
  southafricanorth: place('ZA', 'Johannesburg'),
  southafricawest: place('ZA', 'Cape Town'),
};

/** R2 jurisdictions guarantee where a bucket's data lives; a bucket without one has no such guarantee. */
export const R2_JURISDICTIONS: Readonly<Record<string, Place>> = {
  eu: place('EU', 'R2 EU jurisdiction'),
  fedramp: place('US', 'R2 FedRAMP jurisdiction'),
};

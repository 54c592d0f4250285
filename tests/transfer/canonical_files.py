"""A file set written by hand that holds every column of every kind and every status,
in the canonical form export writes (so export after import gives it back row for row)."""

from __future__ import annotations

USERS = ("anna", "piotr")

FILES: dict[str, str] = {
    "products": """\
sku,name,category,list_price,unit_cost,currency,is_active
AMB-1,Amber ring,jewellery,120.5000,40.2500,PLN,true
AMB-2,'=Amber cup,homeware,15.0000,0.0000,EUR,false
SVC-9,Engraving,,0.0000,0.0000,PLN,true
""",
    "exchange_rates": """\
date,currency,rate
2024-01-02,EUR,4.31250000
2024-01-02,USD,3.98000000
2024-02-01,EUR,4.35000001
""",
    "parties": """\
customer_ref,name,kind,email,phone,country,acquired_at,acquisition_channel,roles,street,postal_code,city,\
language,preferred_channel,owner,team,tags,referred_by,archived_at
C-001,Anna Kowalska,person,anna@example.pl,'+48 600 100 200,PL,2023-05-01T08:00:00+00:00,search,customer,\
Długa 5,80-001,Gdańsk,pl,email,anna,North,vip;amber,,
C-002,Bursztyn Sp. z o.o.,organisation,biuro@bursztyn.example,'0048 58 300 400,PL,2023-06-15T00:00:00+00:00,\
partner,customer;partner,,,,pl,phone,piotr,South,,C-001,
C-003,Ivan Petrov,person,,'-,LT,,,prospect,,,,ru,,,,'=lead,,
C-004,Dostawca SA,organisation,dostawy@example.com,,PL,,,supplier,,,,,,,,,,
C-005,Jan Nowak,person,jan@example.pl,'600700800,PL,2023-01-01T00:00:00+00:00,referral,customer,,,,pl,sms,,,,\
C-001,2024-03-01T12:00:00+00:00
C-006,Maria (staff),person,maria@example.pl,,PL,,,internal,,,,en,,anna,North,staff,,
C-007,Nobody in particular,person,,,,,direct,,,,,,,,,,,
""",
    "consents": """\
customer_ref,purpose,channel,lawful_basis,source,given_at,withdrawn_at
C-001,marketing,email,consent,web form,2023-05-01T08:00:00+00:00,
C-001,newsletter,email,consent,'@campaign,2023-05-01T08:00:00+00:00,2024-01-10T09:30:00+00:00
C-002,surveys,phone,legitimate_interest,,2023-06-15T00:00:00+00:00,
C-005,profiling,web,contract,shop,2023-01-01T00:00:00+00:00,
""",
    "contacts": """\
organisation_ref,name,job_title,email,phone,is_primary,consent_email,consent_phone,person_ref
C-002,Ewa Zielińska,Buyer,ewa@bursztyn.example,'+48 601 000 000,true,true,false,
C-002,Jan Nowak,Owner,jan@example.pl,,false,false,true,C-005
""",
    "orders": """\
order_ref,customer_ref,ordered_at,sku,quantity,unit_price,currency,unit_cost,discount,channel,status,returned_at
O-1,C-001,2024-01-05T10:00:00+00:00,AMB-1,2,120.5000,PLN,40.2500,10.0000,web,completed,
O-1,C-001,2024-01-05T10:00:00+00:00,SVC-9,1,25.0000,PLN,0.0000,0.0000,web,completed,
O-2,C-001,2024-02-01T09:00:00+00:00,AMB-2,1,15.0000,EUR,5.0000,0.0000,store,returned,2024-02-10T15:00:00+00:00
O-3,C-002,2024-02-03T11:30:00+00:00,AMB-1,10,110.0000,PLN,40.2500,50.5000,sales_rep,cancelled,
O-4,C-002,2024-03-03T11:30:00+00:00,AMB-1,1,120.5000,PLN,40.2500,0.0000,marketplace,placed,
O-5,C-005,2024-03-04T00:00:00+00:00,AMB-2,3,15.0000,EUR,5.0000,0.0000,phone,paid,
O-6,C-005,2024-03-05T00:00:00+00:00,SVC-9,1,25.0000,PLN,0.0000,0.0000,partner,shipped,
O-7,C-005,2024-03-06T00:00:00+00:00,SVC-9,1,25.0000,PLN,0.0000,0.0000,web,returned,
""",
    "interactions": """\
customer_ref,occurred_at,channel,direction,subject,cost,notes,user
C-001,2024-01-04T09:00:00+00:00,phone,inbound,Question about rings,3.50,"Asked about sizes;
called back next day",anna
C-001,2024-01-06T09:00:00+00:00,email,outbound,,0.20,,
C-002,2024-02-01T10:00:00+00:00,meeting,outbound,'=SUM(A1),120.00,'+notes,piotr
C-003,2024-02-02T10:00:00+00:00,chat,inbound,Hello,0.00,,
""",
    "deals": """\
customer_ref,name,pipeline,stage,amount,currency,expected_close,status,closed_at,close_reason,owner,team,created_at
C-002,Amber for hotels,B2B,Proposal,25000.00,PLN,2030-06-30,open,,,piotr,South,2024-01-15T08:00:00+00:00
C-002,Trade fair stand,B2B,Won,8000.50,EUR,2024-03-01,won,2024-02-20T12:00:00+00:00,Good price,piotr,,2024-01-16T08:00:00+00:00
C-002,Trade fair stand,B2B,Proposal,900.00,EUR,2031-03-01,open,,,piotr,,2025-01-16T08:00:00+00:00
C-003,Pilot order,B2B,Lost,0.00,PLN,,lost,2024-02-21T12:00:00+00:00,'-went elsewhere,,,2024-02-01T00:00:00+00:00
""",
    "survey_answers": """\
survey,survey_kind,customer_ref,score,comment,answered_at,choice
After purchase,csat,C-001,5,Lovely,2024-01-10T12:00:00+00:00,In the shop
Relationship NPS,nps,,7,,2024-02-11T12:00:00+00:00,
Relationship NPS,nps,C-001,10,'=great,2024-02-10T12:00:00+00:00,Online
Relationship NPS,nps,C-005,0,Returned it,2024-03-10T12:00:00+00:00,
""",
    "loyalty": """\
programme,customer_ref,kind,points,occurred_at,reason,order_ref
Bursztynowy Klub,C-001,adjust,500,2023-12-31T00:00:00+00:00,opening balance,
Bursztynowy Klub,C-001,earn,240,2024-01-05T10:00:00+00:00,,O-1
Bursztynowy Klub,C-001,redeem,-300,2024-01-20T10:00:00+00:00,voucher,
Bursztynowy Klub,C-001,expire,-40,2024-06-30T00:00:00+00:00,,
Bursztynowy Klub,C-005,adjust,100,2023-12-31T00:00:00+00:00,opening balance,
""",
}
